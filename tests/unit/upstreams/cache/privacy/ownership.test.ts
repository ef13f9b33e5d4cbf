// OwnershipClient asks orm under the cache's own service identity (never the
// gateway's), caches the answer briefly, does not cache failures, and owns
// nothing without an orm URL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OwnershipClient, OwnershipUnavailableError } from '../../../../../upstreams/cache/privacy/ownership.ts';
import { loadServiceSigner } from '../../../../../upstreams/common/service-assertion.ts';
import { makeServiceIdentity } from '../../../../helpers/assertion.ts';
import { startFakeOrm, type FakeOrm } from './fake-orm.ts';

const cache = makeServiceIdentity('cache_api');
const signer = loadServiceSigner(cache.env);

describe('OwnershipClient', () => {
  let orm: FakeOrm;
  beforeEach(async () => {
    orm = await startFakeOrm(cache.jwks);
    orm.owners.set(7, { ex_ids: [1, 2], bot_ids: [9] });
  });
  afterEach(() => orm.close());

  it('returns the ex_ids and bot_ids orm reports, signed as the cache service', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, signer });
    const owned = await client.ownershipOf(7);
    expect([...owned.exIds]).toEqual([1, 2]);
    expect([...owned.botIds]).toEqual([9]);
  });

  it('caches answers for the TTL so repeated checks do not hit orm', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, signer });
    await Promise.all(Array.from({ length: 20 }, () => client.ownershipOf(7)));
    await client.ownershipOf(7);
    expect(orm.requests).toBe(1);
  });

  it('asks again once the TTL has passed', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 1, signer });
    await client.ownershipOf(7);
    await new Promise((resolve) => setTimeout(resolve, 5));
    orm.owners.set(7, { ex_ids: [3], bot_ids: [] });
    expect([...(await client.ownershipOf(7)).exIds]).toEqual([3]);
  });

  it('fails with OwnershipUnavailableError when orm errors, without caching the failure', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, signer });
    orm.failWith = 500;
    await expect(client.ownershipOf(7)).rejects.toBeInstanceOf(OwnershipUnavailableError);
    orm.failWith = null;
    expect([...(await client.ownershipOf(7)).exIds]).toEqual([1, 2]);
  });

  it('fails when the assertion is signed with another key under the same name', async () => {
    const impostor = loadServiceSigner(makeServiceIdentity('cache_api').env);
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, signer: impostor });
    await expect(client.ownershipOf(7)).rejects.toBeInstanceOf(OwnershipUnavailableError);
  });

  it('fails without a service identity, never falling back to anything else', async () => {
    const client = new OwnershipClient({ ormUrl: orm.url, ttlMs: 5000, signer: null });
    await expect(client.ownershipOf(7)).rejects.toBeInstanceOf(OwnershipUnavailableError);
    expect(orm.requests).toBe(0);
  });

  it('owns nothing when no orm URL is configured', async () => {
    const client = new OwnershipClient({ ormUrl: undefined, ttlMs: 5000, signer });
    expect((await client.ownershipOf(7)).exIds.size).toBe(0);
  });
});
