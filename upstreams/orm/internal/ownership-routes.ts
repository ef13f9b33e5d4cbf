// Internal: which exchange accounts and bots a user owns, for the cache
// upstream's per-user filtering. Gateway service identity only (else 404).
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/errors.ts';
import { requireGateway } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { idParam } from '../db/params.ts';

export function registerInternalOwnershipRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  app.get('/internal/users/:uid/ownership', async (request) => {
    requireGateway(request);
    const { uid } = parseOr422(idParam('uid'), request.params, 'path');
    const { rows } = await db.query<{ uid: number; ex_ids: number[] | null; bot_ids: number[] | null }>(
      `SELECT u.uid,
              (SELECT array_agg(ex_id ORDER BY ex_id) FROM exchanges WHERE uid = u.uid) AS ex_ids,
              (SELECT array_agg(bot_id ORDER BY bot_id) FROM bots WHERE uid = u.uid) AS bot_ids
       FROM users u WHERE u.uid = $1`,
      [uid],
    );
    const row = rows[0];
    if (!row) throw notFound('User not found');
    return { uid: row.uid, ex_ids: row.ex_ids ?? [], bot_ids: row.bot_ids ?? [] };
  });
}
