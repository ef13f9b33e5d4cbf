// The same ohlcv HTTP contract on embedded PGlite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../../upstreams/common/db.ts';
import { describeOhlcvContract } from './contract.ts';

describeOhlcvContract('pglite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fullon-ohlcv-'));
  const db = await openDatabase({ dataDir: dir, name: 'ohlcv' });
  return { db, close: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); } };
});
