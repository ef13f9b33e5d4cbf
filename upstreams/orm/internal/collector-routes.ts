// Internal endpoints for the collector daemons (ticker, ohlcv, account), which
// sign service assertions like the gateway; anyone else gets 404
// (requireGateway). The credentials of exchange accounts leave the orm only
// here, decrypted for the account collector, and never appear in a log.
import type { FastifyInstance } from 'fastify';
import { requireGateway } from '../../common/server.ts';
import type { OrmContext } from '../context.ts';

interface SymbolRow {
  symbol_id: number;
  symbol: string;
  cat_ex_id: number;
  exchange: string;
  backtest: number;
  futures: boolean;
  only_ticker: boolean;
  bot_feeds: number;
}

interface AccountRow {
  ex_id: number;
  uid: number;
  cat_ex_id: number;
  exchange: string;
  name: string;
  test: boolean;
  credentials: string | null;
}

export function registerInternalCollectorRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db, cipher, logger } = ctx;

  // What the ticker and ohlcv collectors follow: the symbol catalogue (as the
  // original daemons' db.symbols.get_all() / get_by_exchange_id), with the number
  // of active bots feeding on each symbol.
  app.get('/internal/collectors/symbols', async (request) => {
    requireGateway(request);
    const { rows } = await db.query<SymbolRow>(
      `SELECT s.symbol_id, s.symbol, s.cat_ex_id, c.name AS exchange, s.backtest, s.futures, s.only_ticker,
              (SELECT count(*)::int FROM feeds f JOIN strategies st ON st.str_id = f.str_id JOIN bots b ON b.bot_id = st.bot_id
                WHERE f.symbol_id = s.symbol_id AND b.active) AS bot_feeds
       FROM symbols s JOIN cat_exchanges c ON c.cat_ex_id = s.cat_ex_id
       ORDER BY c.name, s.symbol`,
    );
    return rows;
  });

  // Active exchange accounts of active users, with their API credentials (null when none are stored).
  app.get('/internal/collectors/accounts', async (request) => {
    requireGateway(request);
    const { rows } = await db.query<AccountRow>(
      `SELECT e.ex_id, e.uid, e.cat_ex_id, c.name AS exchange, e.name, e.test, e.credentials
       FROM exchanges e JOIN cat_exchanges c ON c.cat_ex_id = e.cat_ex_id JOIN users u ON u.uid = e.uid
       WHERE e.active AND u.active ORDER BY e.ex_id`,
    );
    return rows.map(({ credentials, ...account }) => {
      let decrypted = null;
      if (credentials) {
        try {
          decrypted = cipher.decrypt(credentials);
        } catch {
          logger.warn({ ex_id: account.ex_id }, 'stored exchange credentials cannot be decrypted (EXCHANGE_SECRET_KEY changed?)');
        }
      }
      return { ...account, credentials: decrypted };
    });
  });
}
