// Ticker HTTP routes for scripts and curl: reads for any authenticated user;
// POST (admins or scope cache:write) stores the tick in fullon's layout
// (hash tickers:{exchange}) and publishes it on ticker_updates:{exchange}:{symbol}.
// Symbols contain "/" (BTC/USDT), hence the wildcard tail.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { forbidden, notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import { readAllTickers, toTickerView } from '../actions/tickers.ts';
import type { CacheDeps } from '../actions/types.ts';
import { orUnavailable } from './errors.ts';

const price = z.number().finite();
const TickBody = z.object({
  price,
  volume: price.optional(),
  bid: price.optional(),
  ask: price.optional(),
  last: price.optional(),
  change_24h: price.optional(),
  time: z.union([price, z.string().max(64)]).optional(),
});

const symbolOf = (params: unknown) => decodeURIComponent((params as { '*': string })['*'] ?? '');

export function registerTickerRoutes(app: FastifyInstance, deps: CacheDeps): void {
  const { store, layout } = deps;

  app.get('/tickers/:exchange', async (request) => {
    const { exchange } = request.params as { exchange: string };
    return { exchange, tickers: await orUnavailable(readAllTickers(deps, exchange)) };
  });

  app.get('/tickers/:exchange/*', async (request) => {
    const { exchange } = request.params as { exchange: string };
    const symbol = symbolOf(request.params);
    const raw = await orUnavailable(store.hget(layout.tickers(exchange), symbol));
    const ticker = raw === null ? null : toTickerView(raw, exchange, symbol);
    if (!ticker) throw notFound(`Ticker ${symbol} not found for ${exchange}`);
    return ticker;
  });

  app.post('/tickers/:exchange/*', async (request, reply) => {
    if (!deps.access.canWrite(identityOf(request))) throw forbidden('Admin access or the cache:write scope required');
    const { exchange } = request.params as { exchange: string };
    const symbol = symbolOf(request.params);
    if (!symbol || symbol.length > 100) throw notFound();
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
