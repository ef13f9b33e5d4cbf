// Request deadlines on shared timers: each fires once, never before its time,
// in the order set; a cancelled one never fires, and cancelling the oldest does
// not delay the next; lengths are independent; the timers never hold the process.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../../../gateway/proxy/deadlines.ts';

/** A target that records when it expired, and a promise of that. */
function target(name: string, fired: string[]) {
  let resolve!: (at: number) => void;
  const expired = new Promise<number>((r) => (resolve = r));
  return {
    expired,
    onDeadline() {
      fired.push(name);
      resolve(performance.now());
    },
  };
}

describe('Deadlines', () => {
  it('expires each deadline once, not before its time, in the order they were set', async () => {
    const deadlines = new Deadlines();
    const fired: string[] = [];
    const started = performance.now();
    const a = target('a', fired);
    const b = target('b', fired);
    const c = target('c', fired);
    deadlines.add(30, a);
    deadlines.add(30, b);
    deadlines.add(30, c);
    const times = await Promise.all([a.expired, b.expired, c.expired]);
    expect(fired).toEqual(['a', 'b', 'c']);
    for (const at of times) expect(at - started).toBeGreaterThanOrEqual(30);
  });

  it('never fires a cancelled deadline, and cancelling the oldest does not hold back the next', async () => {
    const deadlines = new Deadlines();
    const fired: string[] = [];
    const first = deadlines.add(20, target('first', fired));
    const middle = deadlines.add(20, target('middle', fired));
    const last = target('last', fired);
    deadlines.add(20, last);
    first.cancel();
    middle.cancel();
    middle.cancel();
    await last.expired;
    expect(fired).toEqual(['last']);
  });

  it('keeps each length on its own: a short deadline set later fires first', async () => {
    const deadlines = new Deadlines();
    const fired: string[] = [];
    const long = target('long', fired);
    const short = target('short', fired);
    deadlines.add(80, long);
    deadlines.add(10, short);
    await Promise.all([long.expired, short.expired]);
    expect(fired).toEqual(['short', 'long']);
  });

  it('serves a deadline set while another expires, and one set after the lane went idle', async () => {
    const deadlines = new Deadlines();
    const fired: string[] = [];
    const inner = target('inner', fired);
    const outer = target('outer', fired);
    deadlines.add(10, { onDeadline: () => (outer.onDeadline(), deadlines.add(10, inner)) });
    await inner.expired;
    const later = target('later', fired);
    const handle = deadlines.add(10, later);
    await later.expired;
    handle.cancel();
    expect(fired).toEqual(['outer', 'inner', 'later']);
  });

  it('does not keep the process alive while deadlines are pending', () => {
    const deadlines = new Deadlines();
    const before = process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const pending = deadlines.add(60_000, { onDeadline: () => {} });
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length).toBe(before);
    pending.cancel();
  });
});
