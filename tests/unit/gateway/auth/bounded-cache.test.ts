import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../../../gateway/auth/bounded-cache.ts';

function cache(max = 3) {
  let clock = 1000;
  return { c: new BoundedCache<string, number>({ max, now: () => clock }), advance: (ms: number) => (clock += ms), now: () => clock };
}

describe('BoundedCache', () => {
  it('returns a value until its expiry, then nothing', () => {
    const { c, advance, now } = cache();
    c.set('a', 1, now() + 100);
    expect(c.get('a')).toBe(1);
    advance(99);
    expect(c.get('a')).toBe(1);
    advance(1);
    expect(c.get('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('gives the entry with its expiry, and nothing once it has expired', () => {
    const { c, advance, now } = cache();
    const expiresAt = now() + 100;
    c.set('a', 7, expiresAt);
    expect(c.getEntry('a')).toMatchObject({ value: 7, expiresAt });
    advance(100);
    expect(c.getEntry('a')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('stores nothing for an expiry already past', () => {
    const { c, now } = cache();
    c.set('a', 1, now());
    expect(c.get('a')).toBeUndefined();
  });

  it('never holds more than max entries, dropping the least recently used', () => {
    const { c, now, advance } = cache(3);
    for (const key of ['a', 'b', 'c']) c.set(key, 1, now() + 60_000);
    advance(1000);
    c.get('a');
    c.set('d', 1, now() + 60_000);
    expect(c.size).toBe(3);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(1);
  });

  it('moves a hit entry up at most once a second (a hot key costs no Map churn per hit)', () => {
    const { c, now, advance } = cache(3);
    for (const key of ['a', 'b', 'c']) c.set(key, 1, now() + 60_000);
    advance(999);
    c.get('a');
    c.set('d', 1, now() + 60_000);
    // Used within the second it was stored: still the oldest, so the one dropped.
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBe(1);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const { c, now } = cache(100);
    for (let i = 0; i < 10_000; i++) c.set(`k${i}`, i, now() + 1000);
    expect(c.size).toBe(100);
  });

  it('refuses a non-positive max', () => {
    expect(() => new BoundedCache({ max: 0 })).toThrow(RangeError);
  });
});
