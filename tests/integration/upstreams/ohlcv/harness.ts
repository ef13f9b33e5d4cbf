// Shared set-up for the ohlcv integration tests: an app over a given Db, signed
// assertion headers, unique pair names and minute-candle generators.
import { randomBytes } from 'node:crypto';
import type { Db } from '../../../../upstreams/common/db.ts';
import { createLogger } from '../../../../upstreams/common/logger.ts';
import { createOhlcvApp, type OhlcvApp, type OhlcvAppOptions } from '../../../../upstreams/ohlcv/app.ts';
import { prepareOhlcvDatabase } from '../../../../upstreams/ohlcv/db/open.ts';
import { TEST_ASSERTION_ENV, signTestAssertion, type TestIdentity } from '../../../helpers/assertion.ts';

export const TEST_ENV = TEST_ASSERTION_ENV;

export async function buildApp(db: Db, live?: OhlcvAppOptions['live'], options: Pick<OhlcvAppOptions, 'rangeMaxRows'> = {}): Promise<OhlcvApp> {
  const logger = createLogger('ohlcv', 'silent');
  await prepareOhlcvDatabase(db, logger);
  return createOhlcvApp({ db, logger, env: TEST_ENV, live, ...options });
}

export async function headersFor(identity: TestIdentity): Promise<Record<string, string>> {
  return { 'x-gateway-assertion': await signTestAssertion('ohlcv_api', identity) };
}

export const adminHeaders = () => headersFor({ userId: 1, role: 'admin' });
export const userHeaders = (scopes: string[] = []) => headersFor({ userId: 2, role: 'user', scopes, authMethod: scopes.length ? 'api_key' : 'jwt' });

/** An exchange name no other test uses, so tests sharing a database never see each other's rows. */
export function uniqueExchange(): string {
  return `ex_${randomBytes(5).toString('hex')}`;
}

export interface MinuteCandle {
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  vol: number;
}

/** `count` consecutive 1-minute candles from `startMs`, with simple deterministic prices. */
export function minuteCandles(startMs: number, count: number, seed = 100): MinuteCandle[] {
  return Array.from({ length: count }, (_, i) => {
    const open = seed + i;
    const close = seed + i + 0.5;
    return { timestamp: new Date(startMs + i * 60_000).toISOString(), open, high: close + 1, low: open - 1, close, vol: 1 + (i % 3) };
  });
}
