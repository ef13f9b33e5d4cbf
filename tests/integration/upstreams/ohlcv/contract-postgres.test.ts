// The ohlcv HTTP contract on real Postgres (this worker's database).
import { openDatabase } from '../../../../upstreams/common/db.ts';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { describeOhlcvContract } from './contract.ts';

describeOhlcvContract('postgres', async () => {
  const db = await openDatabase({ url: await workerDatabaseUrl('ohlcv'), name: 'ohlcv' });
  return { db, close: () => db.close() };
});
