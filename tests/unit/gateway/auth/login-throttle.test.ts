// One contract suite for both stores of the login throttle: in memory, and in the
// run's own Redis (shared by replicas: two throttles on one Redis see one count).
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { LoginThrottle, loadLoginThrottleSettings, LOGIN_THROTTLE_DEFAULTS } from '../../../../gateway/auth/login-throttle.ts';
import { uniqueMail, workerRedis } from '../../../helpers/isolation.ts';

const clients: Redis[] = [];
afterAll(() => {
  for (const client of clients) client.disconnect();
});

const SETTINGS = { accountFailures: 3, addressFailures: 5, windowS: 60 };

const stores = {
  memory: async () => {
    const throttle = new LoginThrottle({ settings: SETTINGS });
    return { throttle, replica: throttle };
  },
  redis: async () => {
    const prefix = `test-login:${randomUUID()}`;
    const make = async () => {
      const client = new Redis(workerRedis().url, { maxRetriesPerRequest: 1 });
      clients.push(client);
      // Connected first: before that the in-memory insurance limiter would answer.
      await client.ping();
      return new LoginThrottle({ settings: SETTINGS, redis: client, keyPrefix: prefix });
    };
    return { throttle: await make(), replica: await make() };
  },
};

describe.each(Object.entries(stores))('login throttle (%s)', (_name, create) => {
  it('refuses an account after its failures, with the seconds to wait', async () => {
    const { throttle } = await create();
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures; i++) {
      expect(await throttle.refusal(mail, `10.0.0.${i}`)).toBeNull();
      await throttle.recordFailure(mail, `10.0.0.${i}`);
    }
    const wait = await throttle.refusal(mail, '10.0.9.9');
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(SETTINGS.windowS);
    // The same account in another case, with spaces: one account.
    expect(await throttle.refusal(` ${mail.toUpperCase()} `, '10.0.9.9')).not.toBeNull();
    expect(await throttle.refusal(uniqueMail(), '10.0.9.9')).toBeNull();
  });

  it('refuses an address after its failures, whatever accounts it tries', async () => {
    const { throttle } = await create();
    const address = `192.0.2.${Math.floor(Math.random() * 250)}:${randomUUID()}`;
    for (let i = 0; i < SETTINGS.addressFailures; i++) await throttle.recordFailure(uniqueMail(), address);
    expect(await throttle.refusal(uniqueMail(), address)).not.toBeNull();
    expect(await throttle.refusal(uniqueMail(), `other:${randomUUID()}`)).toBeNull();
  });

  it('clears an account on a good login', async () => {
    const { throttle } = await create();
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures - 1; i++) await throttle.recordFailure(mail, `a${i}`);
    await throttle.recordSuccess(mail);
    await throttle.recordFailure(mail, 'b');
    expect(await throttle.refusal(mail, 'c')).toBeNull();
  });

  it('shares the counts between replicas using the same store', async () => {
    const { throttle, replica } = await create();
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures; i++) await throttle.recordFailure(mail, `r${i}`);
    expect(await replica.refusal(mail, 'elsewhere')).not.toBeNull();
  });
});

describe('login throttle with its Redis away', () => {
  it('keeps limiting in memory (insurance limiter) instead of letting every login through', async () => {
    const client = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    clients.push(client);
    const throttle = new LoginThrottle({ settings: SETTINGS, redis: client });
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures; i++) await throttle.recordFailure(mail, `d${i}`);
    expect(await throttle.refusal(mail, 'd9')).not.toBeNull();
  });
});

describe('login throttle settings', () => {
  it('has defaults and reads the environment', () => {
    expect(loadLoginThrottleSettings({})).toEqual(LOGIN_THROTTLE_DEFAULTS);
    expect(loadLoginThrottleSettings({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '4', LOGIN_MAX_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURE_WINDOW_S: '30' })).toEqual({ accountFailures: 4, addressFailures: 0, windowS: 30 });
  });

  it.each([['LOGIN_MAX_FAILURES_PER_ACCOUNT', '-1'], ['LOGIN_MAX_FAILURES_PER_ADDRESS', 'many'], ['LOGIN_FAILURE_WINDOW_S', '0']])('refuses %s=%s', (name, value) => {
    expect(() => loadLoginThrottleSettings({ [name]: value })).toThrow(name);
  });

  it('limits nothing that is set to 0', async () => {
    const throttle = new LoginThrottle({ settings: { accountFailures: 0, addressFailures: 0, windowS: 60 } });
    for (let i = 0; i < 20; i++) await throttle.recordFailure('x@example.com', '1.2.3.4');
    expect(await throttle.refusal('x@example.com', '1.2.3.4')).toBeNull();
  });
});
