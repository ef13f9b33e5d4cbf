// A whole stack (gateway, orm_api, ohlcv_api, cache_api on real Postgres and this
// worker's Redis) with the collectors pointed at the stack's fake exchange, plus
// small helpers to drive it as an admin would and to arm exchange faults.
import { startStack, type Stack } from '../../../../examples/lib/stack.ts';
import { freshDatabaseUrl, workerRedis } from '../../../helpers/isolation.ts';

export interface CollectorStack {
  stack: Stack;
  token: string;
  /** Name of the ohlcv_api's Postgres database (for outage tests). */
  ohlcvDatabase: string;
  get(path: string): Promise<{ status: number; body: any }>;
  post(path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The next `count` exchange requests under `prefix` fail with `mode`. */
  fault(mode: string, count: number, prefix: string): Promise<void>;
  /** Polls `fn` until it returns a value that is not undefined (what the test waits for), or fails with `what`. */
  until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs?: number): Promise<T>;
  /**
   * For a failed test: `service`'s status as the services API gives it, what `until` is
   * waiting for now (a test that hits its own timeout inside `until` does not say which
   * wait it was), and the recent log lines of `service` and of each of `alsoOf`.
   */
  failureReport(service: string, ...alsoOf: string[]): Promise<string>;
  status(service: string): Promise<any>;
  close(): Promise<void>;
}

export async function startCollectorStack(env: Record<string, string> = {}): Promise<CollectorStack> {
  const orm = await freshDatabaseUrl('coll_orm');
  const ohlcv = await freshDatabaseUrl('coll_ohlcv');
  let stack: Stack;
  try {
    stack = await startStack({
      env: { DATABASE_URL: orm.url, OHLCV_DATABASE_URL: ohlcv.url, REDIS_URL: workerRedis().url, CACHE_KEY_PREFIX: `coll_${process.pid}_${Date.now()}:`, BCRYPT_ROUNDS: '4', ...env },
    });
  } catch (error) {
    await orm.drop().catch(() => {});
    await ohlcv.drop().catch(() => {});
    throw error;
  }
  let token = '';
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const login = await fetch(`${stack.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: stack.adminMail, password: stack.adminPassword }),
  });
  token = ((await login.json()) as { access_token: string }).access_token;
  let waitingFor: string | null = null;
  const until = async <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    waitingFor = what;
    for (;;) {
      const value = await fn();
      if (value !== undefined) return ((waitingFor = null), value);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const recentLines = (service: string) =>
    `${service}'s recent lines:\n` +
    stack.output.filter((line) => line.includes(`"service":"${service}"`) || line.includes(`${service}[`)).slice(-60).join('\n');
  const status = async (service: string) => (await call('GET', `/api/v1/services/${service}/status`)).body;
  return {
    stack,
    token,
    ohlcvDatabase: new URL(ohlcv.url).pathname.slice(1),
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    fault: async (mode, count, prefix) => {
      const response = await fetch(`${stack.fakeExchangeUrl}/__fake/fault`, { method: 'POST', body: JSON.stringify({ mode, count, prefix }) });
      if (response.status !== 200) throw new Error(`fault not armed: ${response.status}`);
    },
    until,
    failureReport: async (service, ...alsoOf) =>
      [
        `${service} status: ${JSON.stringify(await status(service).catch((error: Error) => error.message))}`,
        `waiting for: ${waitingFor ?? 'nothing (not inside until)'}`,
        ...[service, ...alsoOf].map(recentLines),
      ].join('\n'),
    status,
    close: async () => {
      await stack.stop();
      await orm.drop().catch(() => {});
      await ohlcv.drop().catch(() => {});
    },
  };
}

/** The catalogue id of an exchange. */
export async function catalogId(stack: CollectorStack, name: string): Promise<number> {
  const answer = await stack.get('/api/v1/orm/exchanges/catalog');
  const rows: Array<{ cat_ex_id: number; name: string }> = Array.isArray(answer.body) ? answer.body : answer.body.items;
  const row = rows.find((r) => r.name === name);
  if (!row) throw new Error(`${name} is not in the catalogue`);
  return row.cat_ex_id;
}
