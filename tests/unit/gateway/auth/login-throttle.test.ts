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
  it('lets an account try its allowance, then refuses it with the seconds to wait', async () => {
    const { throttle } = await create();
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures; i++) expect(await throttle.attempt(mail, `10.0.0.${i}`)).toBeNull();
    const wait = await throttle.attempt(mail, '10.0.9.9');
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(SETTINGS.windowS);
    // The same account in another case, with spaces: one account.
    expect(await throttle.attempt(` ${mail.toUpperCase()} `, '10.0.9.8')).not.toBeNull();
    expect(await throttle.attempt(uniqueMail(), '10.0.9.7')).toBeNull();
  });

  it('refuses an address past its allowance, whatever accounts it tries', async () => {
    const { throttle } = await create();
    const address = `192.0.2.1:${randomUUID()}`;
    for (let i = 0; i < SETTINGS.addressFailures; i++) expect(await throttle.attempt(uniqueMail(), address)).toBeNull();
    expect(await throttle.attempt(uniqueMail(), address)).not.toBeNull();
    expect(await throttle.attempt(uniqueMail(), `other:${randomUUID()}`)).toBeNull();
  });

  it('counts attempts in flight at once: no more than the allowance get through', async () => {
    const { throttle } = await create();
    const mail = uniqueMail();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => throttle.attempt(mail, `c${i}:${randomUUID()}`)));
    expect(answers.filter((wait) => wait === null)).toHaveLength(SETTINGS.accountFailures);
  });

  it('starts an account afresh after a good login, and gives the address its attempt back', async () => {
    const { throttle } = await create();
    const mail = uniqueMail();
    const address = `a:${randomUUID()}`;
    for (let i = 0; i < SETTINGS.accountFailures - 1; i++) await throttle.attempt(mail, address);
    await throttle.attempt(mail, address);
    await throttle.succeeded(mail, address);
    for (let i = 0; i < SETTINGS.accountFailures; i++) expect(await throttle.attempt(mail, `b${i}:${randomUUID()}`)).toBeNull();
  });

  it('does not hold an unchecked attempt (the orm was away) against the account', async () => {
    const { throttle } = await create();
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures + 2; i++) {
      expect(await throttle.attempt(mail, `u${i}:${randomUUID()}`)).toBeNull();
      await throttle.unchecked(mail);
    }
  });

  it('shares the counts between replicas using the same store', async () => {
    const { throttle, replica } = await create();
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures; i++) await throttle.attempt(mail, `r${i}:${randomUUID()}`);
    expect(await replica.attempt(mail, 'elsewhere')).not.toBeNull();
  });
});

describe('login throttle with its Redis away', () => {
  it('keeps limiting in memory (insurance limiter) instead of letting every login through', async () => {
    const client = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => {});
    clients.push(client);
    const throttle = new LoginThrottle({ settings: SETTINGS, redis: client });
    const mail = uniqueMail();
    for (let i = 0; i < SETTINGS.accountFailures; i++) await throttle.attempt(mail, `d${i}`);
    expect(await throttle.attempt(mail, 'd9')).not.toBeNull();
  });
});

describe('login throttle settings', () => {
  it('has defaults and reads the environment', () => {
    expect(loadLoginThrottleSettings({})).toEqual(LOGIN_THROTTLE_DEFAULTS);
    expect(loadLoginThrottleSettings({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '4', LOGIN_MAX_FAILURES_PER_ADDRESS: '0', LOGIN_FAILURE_WINDOW_S: '30', LOGIN_REFUSAL_DELAY_MS: '0' })).toEqual({ accountFailures: 4, addressFailures: 0, windowS: 30, refusalDelayMs: 0 });
  });

  it.each([['LOGIN_MAX_FAILURES_PER_ACCOUNT', '-1'], ['LOGIN_MAX_FAILURES_PER_ADDRESS', 'many'], ['LOGIN_FAILURE_WINDOW_S', '0']])('refuses %s=%s', (name, value) => {
    expect(() => loadLoginThrottleSettings({ [name]: value })).toThrow(name);
  });

  it('limits nothing that is set to 0', async () => {
    const throttle = new LoginThrottle({ settings: { accountFailures: 0, addressFailures: 0, windowS: 60 } });
    for (let i = 0; i < 20; i++) expect(await throttle.attempt('x@example.com', '1.2.3.4')).toBeNull();
  });
});
