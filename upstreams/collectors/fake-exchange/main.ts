// `npm run fake-exchange`: a local Kraken look-alike for the collectors (see
// docs/collectors.md). FAKE_EXCHANGE_PORT (default 9100), FAKE_EXCHANGE_PAIRS
// (default 20), FAKE_EXCHANGE_TICK_MS (price step, default 250). Point the stack
// at it with EXCHANGE_URLS='{"kraken":"http://127.0.0.1:9100"}'.
import { startFakeExchange } from './server.ts';

const fake = await startFakeExchange({
  port: Number(process.env.FAKE_EXCHANGE_PORT ?? 9100),
  host: process.env.FAKE_EXCHANGE_HOST ?? '127.0.0.1',
  pairs: Number(process.env.FAKE_EXCHANGE_PAIRS ?? 20),
  tickMs: Number(process.env.FAKE_EXCHANGE_TICK_MS ?? 250),
});
console.log(JSON.stringify({ msg: 'listening', service: 'fake-exchange', exchange: 'kraken', url: fake.url, pairs: fake.kraken.pairs.length, api_key: fake.kraken.account.apiKey, secret: fake.kraken.account.secret }));
const stop = () => void fake.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
