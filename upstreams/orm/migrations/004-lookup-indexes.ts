// Schema v4: indexes for lookups added after v1 shipped — logins match the mail
// case-insensitively (lower(mail)), which the plain unique index cannot serve.
import type { Migration } from '../../common/migrations.ts';

export const lookupIndexesMigration: Migration = {
  version: 4,
  name: 'lookup indexes',
  sql: `
CREATE INDEX IF NOT EXISTS users_lower_mail_idx ON users (lower(mail))
`,
};
