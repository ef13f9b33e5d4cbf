// /views: read models computed in SQL. The bot dashboard of a user is visible to
// that user and to admins; anyone else's → 404.
import type { FastifyInstance } from 'fastify';
import { notFound } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import { parseOr422 } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { isAdmin } from '../db/ownership.ts';
import { idParam } from '../db/params.ts';
import { OPEN_STATUSES } from '../orders/schemas.ts';
import { doc } from '../http/route-docs.ts';

export function registerViewRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;
  app.get('/views/bot-dashboard/:user_id', doc('views', "A user's bot dashboard counts", { params: idParam('user_id') }), async (request) => {
    const identity = identityOf(request);
    const { user_id } = parseOr422(idParam('user_id'), request.params, 'path');
    if (!isAdmin(identity) && user_id !== identity.userId) throw notFound('User not found');
    const { rows } = await db.query(
      `SELECT u.uid AS user_id,
         (SELECT count(*)::int FROM bots b WHERE b.uid = u.uid) AS total_bots,
         (SELECT count(*)::int FROM bots b WHERE b.uid = u.uid AND b.active) AS active_bots,
         (SELECT count(*)::int FROM bots b WHERE b.uid = u.uid AND b.dry_run) AS dry_run_bots,
         (SELECT count(*)::int FROM exchanges e WHERE e.uid = u.uid) AS total_exchanges,
         (SELECT count(*)::int FROM dry_trades d WHERE d.uid = u.uid) AS dry_trades,
         (SELECT count(*)::int FROM trades t WHERE t.uid = u.uid) AS live_trades,
         (SELECT count(*)::int FROM orders o WHERE o.uid = u.uid) AS total_orders,
         (SELECT count(*)::int FROM orders o WHERE o.uid = u.uid AND o.status = ANY($2::text[])) AS open_orders
       FROM users u WHERE u.uid = $1`,
      [user_id, [...OPEN_STATUSES]],
    );
    const row = rows[0] as { dry_trades: number; live_trades: number } | undefined;
    if (!row) throw notFound('User not found');
    return { ...row, total_trades: row.dry_trades + row.live_trades };
  });
}
