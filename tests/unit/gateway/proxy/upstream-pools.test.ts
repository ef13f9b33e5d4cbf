import { describe, expect, it } from 'vitest';
import { UpstreamPools } from '../../../../gateway/proxy/upstream-pools.ts';

describe('UpstreamPools', () => {
  it('keeps one set of connections per upstream while its address stays, whichever URL object names it', () => {
    const pools = new UpstreamPools();
    const target = new URL('http://127.0.0.1:8001/');
    const first = pools.get('orm', target, 1000);
    expect(pools.get('orm', target, 1000)).toBe(first);
    // The primary pushes the same address again as a new URL object (a state update).
    expect(pools.get('orm', new URL('http://127.0.0.1:8001/'), 1000)).toBe(first);
    expect(pools.get('orm', target, 1000)).toBe(first);
    pools.destroy();
  });

  it('replaces them when the address or the connect timeout changes', () => {
    const pools = new UpstreamPools();
    const target = new URL('http://127.0.0.1:8001/');
    const first = pools.get('orm', target, 1000);
    const moved = pools.get('orm', new URL('http://127.0.0.1:8002/'), 1000);
    expect(moved).not.toBe(first);
    expect(moved.origin).toBe('http://127.0.0.1:8002');
    // Back to the first URL object: a new address for this upstream again, not the old entry.
    const back = pools.get('orm', target, 1000);
    expect(back).not.toBe(first);
    expect(back.origin).toBe('http://127.0.0.1:8001');
    expect(pools.get('orm', target, 2000)).not.toBe(back);
    expect(pools.get('cache', target, 2000)).not.toBe(pools.get('orm', target, 2000));
    pools.destroy();
  });
});
