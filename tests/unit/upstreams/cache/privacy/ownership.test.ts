// OwnershipClient asks orm with a self-signed service assertion, caches the
// answer briefly, does not cache failures, and owns nothing without an orm URL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OwnershipClient, OwnershipUnavailableError } from '../../../../../upstreams/cache/privacy/ownership.ts';
import { TEST_ASSERTION_SECRET } from '../../../../helpers/assertion.ts';
import { startFakeOrm, type FakeOrm } from './fake-orm.ts';

const secret = new TextEncoder().encode(TEST_ASSERTION_SECRET);

describe('OwnershipClient', () => {
  let orm: FakeOrm;
  beforeEach(async () => {
    orm = await startFakeOrm(TEST_ASSERTION_SECRET);
    orm.owners.set(7, { ex_ids: [1, 2], bot_ids: [9] });
  });
  afterEach(() => orm.close());

  it('returns the ex_ids and bot_ids orm reports, signed as the gateway service', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, secret });
    const owned = await client.ownershipOf(7);
    expect([...owned.exIds]).toEqual([1, 2]);
    expect([...owned.botIds]).toEqual([9]);
  });

  it('caches answers for the TTL so repeated checks do not hit orm', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, secret });
    await Promise.all(Array.from({ length: 20 }, () => client.ownershipOf(7)));
    await client.ownershipOf(7);
    expect(orm.requests).toBe(1);
  });

  it('asks again once the TTL has passed', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 1, secret });
    await client.ownershipOf(7);
    await new Promise((resolve) => setTimeout(resolve, 5));
    orm.owners.set(7, { ex_ids: [3], bot_ids: [] });
    expect([...(await client.ownershipOf(7)).exIds]).toEqual([3]);
  });

  it('fails with OwnershipUnavailableError when orm errors, without caching the failure', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, secret });
    orm.failWith = 500;
    await expect(client.ownershipOf(7)).rejects.toBeInstanceOf(OwnershipUnavailableError);
    orm.failWith = null;
    expect([...(await client.ownershipOf(7)).exIds]).toEqual([1, 2]);
  });

  it('fails when the assertion is signed with the wrong key', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, secret: new TextEncoder().encode('another-secret-another-secret-0123') });
    await expect(client.ownershipOf(7)).rejects.toBeInstanceOf(OwnershipUnavailableError);
  });

  it('owns nothing when no orm URL is configured', async () => {
    const client = new OwnershipClient({ ormUrl: undefined, ttlMs: 5000, secret });
    expect((await client.ownershipOf(7)).exIds.size).toBe(0);
  });
});
