// Schema v6: removing a strategy from its bot keeps the row (removed_at set)
// instead of deleting it. fullon's strategy client reads a strategy's details
// right after removing it; the record also keeps what a bot ran for its history.
// Removed strategies leave every list, count and feed; only GET by id shows them.
import type { Migration } from '../../common/migrations.ts';

export const strategyRemovalMigration: Migration = {
  version: 6,
  name: 'strategy removal keeps the record',
  sql: `
ALTER TABLE strategies ADD COLUMN IF NOT EXISTS removed_at TIMESTAMPTZ;
CREATE INDEX IF NOT EXISTS strategies_bot_id_live_idx ON strategies (bot_id) WHERE removed_at IS NULL
`,
};
