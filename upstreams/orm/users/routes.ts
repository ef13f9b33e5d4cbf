// /users: the caller's own profile, and user administration (admin). A regular
// user can read and change only their own profile fields; anyone else's → 404.
import type { FastifyInstance } from 'fastify';
import { identityOf, requireAdmin } from '../../common/server.ts';
import { notFound } from '../../common/errors.ts';
import { parseOr422, refuseFields } from '../../common/validate.ts';
import type { OrmContext } from '../context.ts';
import { announceInvalidation } from '../internal/auth-invalidation.ts';
import { isAdmin } from '../db/ownership.ts';
import { listPage, pageQuerySchema, sendPage } from '../db/pagination.ts';
import { idParam } from '../db/params.ts';
import { SqlFilter, escapeLike } from '../db/sql-filter.ts';
import { buildSet } from '../db/sql-update.ts';
import { hashPassword } from './passwords.ts';
import { adminPatchSchema, createUserSchema, listUsersQuerySchema, selfPatchSchema } from './schemas.ts';
import { PUBLIC_USER_COLUMNS, findUserById, insertUser } from './user-store.ts';
import { doc, listDoc } from '../http/route-docs.ts';

export function registerUserRoutes(app: FastifyInstance, ctx: OrmContext): void {
  const { db } = ctx;

  app.get('/users/me', doc('users', 'The caller'), async (request) => {
    const user = await findUserById(db, identityOf(request).userId);
    if (!user) throw notFound('User not found');
    return user;
  });

  app.get('/users', listDoc('users', 'Users (admin)', { query: listUsersQuerySchema }), async (request, reply) => {
    requireAdmin(request);
    const page = parseOr422(pageQuerySchema, request.query, 'query');
    const query = parseOr422(listUsersQuerySchema, request.query, 'query');
    const filter = new SqlFilter()
      .addIf('lower(mail) = lower(?)', query.mail)
      .addIf('role = ?', query.role)
      .addIf('active = ?', query.active);
    if (query.q) filter.add(`(mail ILIKE ? ESCAPE '\\' OR concat_ws(' ', name, lastname) ILIKE ? ESCAPE '\\')`, `%${escapeLike(query.q)}%`);
    return sendPage(request, reply, await listPage(db, { select: `SELECT ${PUBLIC_USER_COLUMNS} FROM users`, from: 'users', filter, orderBy: 'uid', page }));
  });

  app.get('/users/:uid', doc('users', 'A user (the caller, or any for an admin)', { params: idParam('uid') }), async (request) => {
    const identity = identityOf(request);
    const { uid } = parseOr422(idParam('uid'), request.params, 'path');
    const user = isAdmin(identity) || uid === identity.userId ? await findUserById(db, uid) : undefined;
    if (!user) throw notFound('User not found');
    return user;
  });

  app.post('/users', doc('users', 'Create a user (admin)', { body: createUserSchema }), async (request, reply) => {
    requireAdmin(request);
    const body = parseOr422(createUserSchema, request.body, 'body');
    const user = await insertUser(db, body, ctx.settings.bcryptRounds);
    return user;
  });

  app.patch('/users/:uid', doc('users', 'Change a user (own profile fields; an admin: role, active, password, mail too)', { params: idParam('uid'), body: adminPatchSchema }), async (request, reply) => {
    const identity = identityOf(request);
    const { uid } = parseOr422(idParam('uid'), request.params, 'path');
    if (!isAdmin(identity) && uid !== identity.userId) throw notFound('User not found');
    const changes: Record<string, unknown> = isAdmin(identity)
      ? parseOr422(adminPatchSchema, request.body ?? {}, 'body')
      : parseSelfPatch(request.body);
    if (typeof changes.password === 'string') changes.password = await hashPassword(changes.password, ctx.settings.bcryptRounds);
    const { sets, params } = buildSet(changes, 2);
    const { rows } = await db.query(
      `UPDATE users SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE uid = $1 RETURNING ${PUBLIC_USER_COLUMNS}`,
      [uid, ...params],
    );
    if (!rows[0]) throw notFound('User not found');
    // Role, active state or mail may have changed: the gateway re-reads them now.
    announceInvalidation(reply, 'user', uid);
    return rows[0];
  });
}

/** What a user may change on their own account; privilege and identity fields are refused by name. */
function parseSelfPatch(body: unknown): Record<string, unknown> {
  refuseFields(body, ['uid', 'mail', 'password', 'role', 'active', 'manager']);
  return parseOr422(selfPatchSchema, body ?? {}, 'body');
}
