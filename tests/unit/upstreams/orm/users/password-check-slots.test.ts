import { describe, expect, it } from 'vitest';
import { PasswordCheckSlots, readPasswordCheckSlots } from '../../../../../upstreams/orm/users/password-check-slots.ts';
import { HttpError } from '../../../../../upstreams/common/errors.ts';

/** A check that finishes when the test says so. */
function gate<T>(value: T) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, check: async () => (await opened, value) };
}

describe('password check slots', () => {
  it('runs at most `concurrency` checks at once and the rest in arrival order', async () => {
    const slots = new PasswordCheckSlots({ concurrency: 2, maxQueued: 10 });
    const gates = [gate(1), gate(2), gate(3), gate(4)];
    const finished: number[] = [];
    const runs = gates.map((g) => slots.run(g.check).then((value) => finished.push(value)));
    await Promise.resolve();
    expect(slots.running).toBe(2);
    expect(slots.queued).toBe(2);
    gates[1]!.open();
    gates[2]!.open();
    gates[0]!.open();
    gates[3]!.open();
    await Promise.all(runs);
    expect(finished.sort()).toEqual([1, 2, 3, 4]);
    expect(slots.running).toBe(0);
    expect(slots.queued).toBe(0);
  });

  it('refuses with 503 + Retry-After once the queue is full, without running the check', async () => {
    const slots = new PasswordCheckSlots({ concurrency: 1, maxQueued: 1 });
    const first = gate('a');
    const second = gate('b');
    const running = slots.run(first.check);
    const waiting = slots.run(second.check);
    let ran = false;
    const refused = await slots.run(async () => (ran = true)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 503, headers: { 'retry-after': '1' } });
    expect(ran).toBe(false);
    first.open();
    second.open();
    expect(await Promise.all([running, waiting])).toEqual(['a', 'b']);
  });

  it('skips a queued check whose caller is gone by the time its slot comes', async () => {
    const slots = new PasswordCheckSlots({ concurrency: 1, maxQueued: 2 });
    const first = gate('a');
    const running = slots.run(first.check);
    const caller = new AbortController();
    let ran = false;
    const abandoned = slots.run(async () => (ran = true), caller.signal).catch((error: unknown) => error);
    const next = slots.run(async () => 'c');
    caller.abort();
    first.open();
    expect(await abandoned).toMatchObject({ status: 503 });
    expect(ran).toBe(false);
    expect(await Promise.all([running, next])).toEqual(['a', 'c']);
  });

  it('frees the slot when a check throws', async () => {
    const slots = new PasswordCheckSlots({ concurrency: 1, maxQueued: 0 });
    await expect(slots.run(async () => Promise.reject(new Error('bcrypt failed')))).rejects.toThrow('bcrypt failed');
    expect(await slots.run(async () => 'next')).toBe('next');
  });

  it('reads its bounds from the environment', () => {
    expect(readPasswordCheckSlots({})).toEqual({ concurrency: 1, maxQueued: 16 });
    expect(readPasswordCheckSlots({ PASSWORD_CHECK_CONCURRENCY: '1', PASSWORD_CHECK_QUEUE: '0' })).toEqual({ concurrency: 1, maxQueued: 0 });
    expect(() => readPasswordCheckSlots({ PASSWORD_CHECK_CONCURRENCY: '0' })).toThrow('PASSWORD_CHECK_CONCURRENCY');
  });
});
