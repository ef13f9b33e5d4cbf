// Private-state HTTP routes: bot status reads (owner or admin, else 404 like a
// missing bot), and writes used by collectors and the examples (admins or scope
// cache:write): balances, positions and bot status in fullon's hashes.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { forbidden, notFound } from '../../common/errors.ts';
import { describeRoute } from '../../common/openapi.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import { readBotStatus } from '../actions/bots.ts';
import type { CacheDeps } from '../actions/types.ts';
import { orUnavailable } from './errors.ts';

const IdParams = z.object({ id: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).describe('bot_id or ex_id') });
const JsonObject = z.record(z.string(), z.unknown());

export function registerPrivateRoutes(app: FastifyInstance, deps: CacheDeps): void {
  const { store, layout, access } = deps;
  const requireWriter = (request: Parameters<typeof identityOf>[0]) => {
    if (!access.canWrite(identityOf(request))) throw forbidden('Admin access or the cache:write scope required');
  };

  app.get('/bots/:id/status', describeRoute({ tags: ['cache'], summary: 'A bot\'s status (owner or admin; else 404 like a missing bot)', params: IdParams }), async (request) => {
    const { id } = parseOr422(IdParams, request.params, 'path');
    const owned = await orUnavailable(access.ownsBot(identityOf(request), id));
    const status = owned ? await orUnavailable(readBotStatus(deps, id)) : null;
    if (!status) throw notFound(`Bot ${id} not found`);
    return status;
  });

  app.post('/bots/:id/status', describeRoute({ tags: ['cache'], summary: 'Store a bot\'s status (admin or scope cache:write)', params: IdParams, body: JsonObject }), async (request, reply) => {
    requireWriter(request);
    const { id } = parseOr422(IdParams, request.params, 'path');
    const body = parseOr422(JsonObject, request.body, 'body');
    await orUnavailable(store.hset(layout.botStatus(), String(id), JSON.stringify(body)));
    return reply.code(201).send({ status: 'stored', bot_id: id });
  });

  // {"USDT": {"total": 10, "free": 8, "used": 2}, ...}; `date` is added like fullon does.
  app.post('/accounts/:id', describeRoute({ tags: ['cache'], summary: 'Store an account\'s balances {currency: {total, free, used}} (admin or scope cache:write)', params: IdParams, body: JsonObject }), async (request, reply) => {
    requireWriter(request);
    const { id } = parseOr422(IdParams, request.params, 'path');
    const body = parseOr422(JsonObject, request.body, 'body');
    await orUnavailable(store.hset(layout.accounts(), String(id), JSON.stringify({ ...body, date: body.date ?? new Date().toISOString() })));
    return reply.code(201).send({ status: 'stored', ex_id: id });
  });

  // {"BTC/USDT": {"cost": .., "volume": .., "fee": .., "count": .., "price": .., "timestamp": ..}}
  app.post('/accounts/:id/positions', describeRoute({ tags: ['cache'], summary: 'Store an account\'s positions {symbol: {...}} (admin or scope cache:write)', params: IdParams, body: JsonObject }), async (request, reply) => {
    requireWriter(request);
    const { id } = parseOr422(IdParams, request.params, 'path');
    const body = parseOr422(JsonObject, request.body, 'body');
    await orUnavailable(store.hset(layout.accountPositions(), String(id), JSON.stringify({ ...body, timestamp: body.timestamp ?? Date.now() / 1000 })));
    return reply.code(201).send({ status: 'stored', ex_id: id });
  });
}
