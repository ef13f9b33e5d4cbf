// SQL for users shared by the routes, the internal auth endpoints, the admin
// bootstrap and the demo seed. The password hash never leaves this module's
// callers: PUBLIC_USER_COLUMNS is what responses are built from.
import type { Queryable } from '../../common/db.ts';
import { hashPassword } from './passwords.ts';

export const PUBLIC_USER_COLUMNS = 'uid, mail, name, lastname, role, phone, id_num, note, manager, active, timestamp, updated_at';

export interface PublicUser {
  uid: number;
  mail: string;
  name: string | null;
  lastname: string | null;
  role: 'admin' | 'user';
  phone: string | null;
  id_num: string | null;
  note: string | null;
  manager: number | null;
  active: boolean;
  timestamp: string;
  updated_at: string;
}

export interface NewUser {
  mail: string;
  password: string;
  role?: 'admin' | 'user';
  name?: string | null;
  lastname?: string | null;
  phone?: string | null;
  id_num?: string | null;
  note?: string | null;
  manager?: number | null;
  active?: boolean;
}

export async function findUserByMail(db: Queryable, mail: string): Promise<(PublicUser & { password: string }) | undefined> {
  const { rows } = await db.query<PublicUser & { password: string }>(
    `SELECT ${PUBLIC_USER_COLUMNS}, password FROM users WHERE lower(mail) = lower($1) ORDER BY uid LIMIT 1`,
    [mail],
  );
  return rows[0];
}

export async function findUserById(db: Queryable, uid: number): Promise<PublicUser | undefined> {
  const { rows } = await db.query<PublicUser>(`SELECT ${PUBLIC_USER_COLUMNS} FROM users WHERE uid = $1`, [uid]);
  return rows[0];
}

/** Inserts a user with a bcrypt hash; a taken mail surfaces as the unique violation (→ 409 "mail already exists"). */
export async function insertUser(db: Queryable, user: NewUser, rounds: number): Promise<PublicUser> {
  return insertHashedUser(db, user, await hashPassword(user.password, rounds));
}

/** insertUser with the bcrypt hash already made (the first admin's, hashed while the database opened); `user.password` is not read. */
export async function insertHashedUser(db: Queryable, user: Omit<NewUser, 'password'>, hash: string): Promise<PublicUser> {
  const { rows } = await db.query<PublicUser>(
    `INSERT INTO users (mail, password, role, name, lastname, phone, id_num, note, manager, active)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${PUBLIC_USER_COLUMNS}`,
    [user.mail, hash, user.role ?? 'user', user.name ?? null, user.lastname ?? null, user.phone ?? null, user.id_num ?? null, user.note ?? null, user.manager ?? null, user.active ?? true],
  );
  return rows[0]!;
}
