// Ticker HTTP routes for scripts and curl: reads for any authenticated user;
// POST (admins or scope cache:write) stores the tick in fullon's layout
// (hash tickers:{exchange}) and publishes it on ticker_updates:{exchange}:{symbol}.
// Symbols contain "/" (BTC/USDT, or BTC%2FUSDT which the router decodes once),
// hence the wildcard tail; it is not decoded a second time (%252F stays refused).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { forbidden, notFound, unprocessable } from '../../common/errors.ts';
import { describeRoute } from '../../common/openapi.ts';
import { identityOf } from '../../common/server.ts';
import { bodySchema, parseOr422 } from '../../common/validate.ts';
import { EXCHANGE_NAME } from '../actions/exchange-ref.ts';
import { readAllTickers, toTickerView } from '../actions/tickers.ts';
import type { CacheDeps } from '../actions/types.ts';
import { orUnavailable } from './errors.ts';

const price = z.number().finite();
const TickBody = bodySchema({
  price,
  volume: price.optional(),
  bid: price.optional(),
  ask: price.optional(),
  last: price.optional(),
  change_24h: price.optional(),
  time: z.union([price, z.string().max(64)]).optional(),
});

const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$/;
const invalid = (field: string, msg: string) => unprocessable([{ loc: ['path', field], msg, type: 'value_error' }]);

/** The exchange and the symbol tail as the router decoded them (once). */
function pairOf(params: unknown): { exchange: string; symbol: string } {
  const { exchange = '', '*': symbol = '' } = params as { exchange?: string; '*'?: string };
  if (!EXCHANGE_NAME.test(exchange)) throw invalid('exchange', 'exchange must be 1-64 letters, digits, _ . -');
  if (!SYMBOL.test(symbol) || symbol.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw invalid('symbol', 'symbol must be 1-100 letters, digits, _ . : / - (no empty, . or .. parts)');
  }
  return { exchange, symbol };
}

const ExchangeParams = z.object({ exchange: z.string().describe('exchange name, e.g. kraken') });
const PairParams = ExchangeParams.extend({ '*': z.string().describe('symbol, raw (BTC/USDT) or URL-encoded (BTC%2FUSDT)') });

export function registerTickerRoutes(app: FastifyInstance, deps: CacheDeps): void {
  const { store, layout } = deps;

  app.get('/tickers/:exchange', describeRoute({ anonymous: true, tags: ['cache'], summary: 'All tickers of an exchange', params: ExchangeParams }), async (request) => {
    const { exchange } = request.params as { exchange: string };
    if (!EXCHANGE_NAME.test(exchange)) throw invalid('exchange', 'exchange must be 1-64 letters, digits, _ . -');
    return { exchange, tickers: await orUnavailable(readAllTickers(deps, exchange)) };
  });

  app.get('/tickers/:exchange/*', describeRoute({ anonymous: true, tags: ['cache'], summary: 'One ticker (404 when none is stored)', params: PairParams }), async (request) => {
    const { exchange, symbol } = pairOf(request.params);
    const raw = await orUnavailable(store.hget(layout.tickers(exchange), symbol));
    const ticker = raw === null ? null : toTickerView(raw, exchange, symbol);
    if (!ticker) throw notFound(`Ticker ${symbol} not found for ${exchange}`);
    return ticker;
  });

  app.post('/tickers/:exchange/*', describeRoute({
    tags: ['cache'],
    summary: 'Store and publish a ticker (admin or scope cache:write)',
    description: 'Stored in fullon\'s hash tickers:{exchange} and published on ticker_updates:{exchange}:{symbol}.',
    params: PairParams,
    body: TickBody,
  }), async (request, reply) => {
    if (!deps.access.canWrite(identityOf(request))) throw forbidden('Admin access or the cache:write scope required');
    const { exchange, symbol } = pairOf(request.params);
    const body = parseOr422(TickBody, request.body, 'body');
    const tick = {
      symbol,
      exchange,
      price: body.price,
      volume: body.volume ?? 0,
      time: body.time ?? Date.now() / 1000,
      bid: body.bid ?? body.price,
      ask: body.ask ?? body.price,
      last: body.last ?? body.price,
      ...(body.change_24h === undefined ? {} : { change_24h: body.change_24h }),
    };
    const json = JSON.stringify(tick);
    await orUnavailable(store.hset(layout.tickers(exchange), symbol, json));
    const receivers = await orUnavailable(store.publish(layout.tickerChannel(exchange, symbol), json));
    return reply.code(201).send({ status: 'stored', ticker: toTickerView(json, exchange, symbol), published_to: receivers });
  });
}
