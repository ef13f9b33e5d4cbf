// The bounded queue behind a slow SSE client: bytes never exceed the limit, the
// oldest go first, and every drop is counted.
import { describe, expect, it } from 'vitest';
import { DroppingQueue } from '../../../../gateway/http/dropping-queue.ts';

const drain = (queue: DroppingQueue) => {
  const out: string[] = [];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) out.push(next);
  return out;
};

describe('DroppingQueue', () => {
  it('is first in, first out under its limit, and drops nothing', () => {
    const queue = new DroppingQueue(100);
    for (const chunk of ['a', 'b', 'c']) queue.push(chunk);
    expect({ length: queue.length, bytes: queue.bytes }).toEqual({ length: 3, bytes: 3 });
    expect(drain(queue)).toEqual(['a', 'b', 'c']);
    expect(queue.takeDropped()).toBe(0);
    expect(queue.bytes).toBe(0);
  });

  it('drops the oldest to make room, counts them, and never holds more than its limit', () => {
    const queue = new DroppingQueue(10);
    for (let i = 0; i < 1000; i++) {
      queue.push(`${i % 10}xxx`); // 4 bytes each: two fit
      expect(queue.bytes).toBeLessThanOrEqual(10);
    }
    expect(queue.takeDropped()).toBe(998);
    expect(queue.takeDropped()).toBe(0);
    expect(drain(queue)).toEqual(['8xxx', '9xxx']);
  });

  it('counts bytes, not characters', () => {
    const queue = new DroppingQueue(4);
    queue.push('€'); // 3 bytes
    queue.push('€');
    expect(queue.length).toBe(1);
    expect(queue.takeDropped()).toBe(1);
  });

  it('drops a chunk larger than the whole limit instead of emptying itself for it', () => {
    const queue = new DroppingQueue(5);
    queue.push('ab');
    queue.push('x'.repeat(6));
    expect(drain(queue)).toEqual(['ab']);
    expect(queue.takeDropped()).toBe(1);
  });

  it('stays correct over many pushes and shifts (its slots are compacted)', () => {
    const queue = new DroppingQueue(10_000);
    let expected = 0;
    for (let i = 0; i < 5000; i++) {
      queue.push(String(i));
      if (i % 2 === 1) {
        expect(queue.shift()).toBe(String(expected++));
        expect(queue.shift()).toBe(String(expected++));
      }
    }
    expect(queue.length).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new DroppingQueue(0)).toThrow();
  });
});
