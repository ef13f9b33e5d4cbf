import { describe, expect, it } from 'vitest';
import { KeyUseThrottle } from '../../../../../upstreams/orm/api-keys/key-use-throttle.ts';

describe('KeyUseThrottle', () => {
  it('allows one write per key per interval', () => {
    const throttle = new KeyUseThrottle(10_000);
    expect(throttle.shouldWrite(1, 0)).toBe(true);
    expect(throttle.shouldWrite(1, 9_999)).toBe(false);
    expect(throttle.shouldWrite(2, 9_999)).toBe(true);
    expect(throttle.shouldWrite(1, 10_000)).toBe(true);
  });

  it('keeps memory bounded by forgetting everything when full', () => {
    const throttle = new KeyUseThrottle(10_000, 2);
    throttle.shouldWrite(1, 0);
    throttle.shouldWrite(2, 0);
    expect(throttle.shouldWrite(3, 0)).toBe(true);
    expect(throttle.shouldWrite(1, 1)).toBe(true);
  });
});
