// `npm run db:templates`, and npm's postinstall (so `npm ci` / `npm install` leave
// them ready): makes the PGlite templates of the orm and ohlcv databases, so the
// first `npm start` copies a migrated database instead of running initdb twice
// (docs/cold-start.md). Never fails the install: without a template a start is
// only slower, and it makes the missing template itself.
import { openPglite } from './common/db.ts';
import { DEFAULT_TEMPLATE_ROOT, ensureTemplate, type DatabaseSchema } from './common/pglite-template.ts';
import { OHLCV_SCHEMA } from './ohlcv/db/schema.ts';
import { ORM_SCHEMA } from './orm/migrations/index.ts';

const DATABASES: ReadonlyArray<[name: string, schema: DatabaseSchema]> = [
  ['orm', ORM_SCHEMA],
  ['ohlcv', OHLCV_SCHEMA],
];

const root = DEFAULT_TEMPLATE_ROOT;
const outcomes: string[] = [];
try {
  for (const [name, schema] of DATABASES) {
    const started = performance.now();
    const { built } = await ensureTemplate({ root, name, schema, open: openPglite });
    outcomes.push(built ? `${name} made in ${((performance.now() - started) / 1000).toFixed(1)} s` : `${name} up to date`);
  }
  process.stdout.write(`PGlite templates in ${root}: ${outcomes.join(', ')}\n`);
} catch (error) {
  process.stderr.write(`warning: could not make the PGlite templates (${(error as Error).message}); the first start will make them instead (slower)\n`);
}
