// awaitReadiness: the health probe polls while a child starts, and goes at once when
// the child logs {"msg":"listening"}, instead of after the rest of a poll interval.
// The clock here never fires a timer on its own: a start that only became ready by
// waiting out an interval would never settle.
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../../gateway/probe/health-probe.ts';
import type { Clock } from '../../../../gateway/supervisor/clock.ts';
import { awaitReadiness, type Readiness } from '../../../../gateway/supervisor/readiness.ts';
import { FakeChild } from '../../../fixtures/processes/fake-spawner.ts';

const healthy: ProbeResult = { ok: true, status: 200, latencyMs: 1, error: null, dependencies: {} };
const refused: ProbeResult = { ok: false, status: null, latencyMs: 1, error: 'connection refused', dependencies: {} };

/** Time stands still: timers are recorded, never fired. */
function frozenClock(): Clock & { pending: number } {
  const timers = new Set<number>();
  let next = 0;
  return {
    get pending() {
      return timers.size;
    },
    now: () => 0,
    setTimeout: () => {
      timers.add(++next);
      return next;
    },
    clearTimeout: (timer) => void timers.delete(timer as number),
  };
}

/** A probe that refuses until the child is "up", and counts its calls; `called(n)` resolves on the nth call. */
function scriptedProbe() {
  let up = false;
  const calls: string[] = [];
  const waiters = new Map<number, () => void>();
  return {
    calls,
    bringUp: () => void (up = true),
    called: (n: number) => new Promise<void>((resolve) => (calls.length >= n ? resolve() : waiters.set(n, resolve))),
    probe: async (url: string): Promise<ProbeResult> => {
      calls.push(url);
      waiters.get(calls.length)?.();
      return up ? healthy : refused;
    },
  };
}

function start(child: FakeChild, probe: ReturnType<typeof scriptedProbe>, requireListeningLine: boolean): Promise<Readiness> {
  return awaitReadiness({
    child,
    healthUrl: 'http://127.0.0.1:45678/health',
    startTimeoutMs: 30_000,
    requireListeningLine,
    clock: frozenClock(),
    probe: probe.probe,
    signal: new AbortController().signal,
  });
}

function startingChild(): FakeChild {
  return new FakeChild({ name: 'orm', command: ['node'], cwd: '.', env: {} });
}

const LISTENING = JSON.stringify({ level: 30, msg: 'listening', port: 45678 });

describe('readiness of a starting child', () => {
  it('probes again as soon as the child logs "listening", without waiting out the poll interval', async () => {
    const child = startingChild();
    const probe = scriptedProbe();
    const readiness = start(child, probe, false);
    await probe.called(1);
    probe.bringUp();
    child.print(LISTENING);
    expect(await readiness).toEqual({ ready: true });
    expect(probe.calls).toHaveLength(2);
  });

  it('waits for the line when it is required, then probes at once', async () => {
    const child = startingChild();
    const probe = scriptedProbe();
    probe.bringUp();
    const readiness = start(child, probe, true);
    await nextMacrotask();
    expect(probe.calls).toHaveLength(0);
    child.print(LISTENING);
    expect(await readiness).toEqual({ ready: true });
    expect(probe.calls).toHaveLength(1);
  });

  it('is not woken by lines that only mention listening', async () => {
    const child = startingChild();
    const probe = scriptedProbe();
    const readiness = start(child, probe, false);
    await probe.called(1);
    child.print('"listening"');
    child.print(JSON.stringify({ msg: 'not "listening" yet' }));
    child.print(JSON.stringify({ msg: 'starting', note: 'listening' }));
    for (let turn = 0; turn < 5; turn++) await nextMacrotask();
    expect(probe.calls).toHaveLength(1);
    child.exit(1);
    expect(await readiness).toMatchObject({ ready: false, exited: true });
  });
});
