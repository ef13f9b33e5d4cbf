// Schema v1, accounts: fullon's users and api_keys tables with their column names
// kept, so existing fullon rows (and their $2b$ bcrypt hashes) map 1:1.
import type { Migration } from '../../common/migrations.ts';

export const accountsMigration: Migration = {
  version: 1,
  name: 'users and api_keys',
  sql: `
CREATE TABLE IF NOT EXISTS users (
  uid SERIAL PRIMARY KEY,
  mail TEXT NOT NULL,
  password TEXT NOT NULL,
  f2a TEXT,
  role TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
  name TEXT,
  lastname TEXT,
  phone TEXT,
  id_num TEXT,
  note TEXT,
  manager INTEGER REFERENCES users (uid) ON DELETE SET NULL,
  timestamp TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  active BOOLEAN NOT NULL DEFAULT true,
  CONSTRAINT users_mail_key UNIQUE (mail)
);
CREATE INDEX IF NOT EXISTS users_role_idx ON users (role);
CREATE TABLE IF NOT EXISTS api_keys (
  api_key_id SERIAL PRIMARY KEY,
  uid INTEGER NOT NULL REFERENCES users (uid) ON DELETE CASCADE,
  key TEXT NOT NULL,
  key_prefix TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT,
  scopes TEXT[] NOT NULL DEFAULT '{}',
  is_active BOOLEAN NOT NULL DEFAULT true,
  expires_at TIMESTAMPTZ,
  last_used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT api_keys_key_key UNIQUE (key)
);
CREATE INDEX IF NOT EXISTS api_keys_uid_idx ON api_keys (uid)
`,
};
