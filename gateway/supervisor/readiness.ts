// Decides when a freshly spawned child is ready: its health URL answers 2xx (and,
// when it overlaps an old process on a reusePort port, it has logged "listening",
// because a probe could otherwise be answered by the old one). The probe polls,
// and goes at once when the child logs "listening". Races the child's exit, the
// start timeout and cancellation; never hangs.
import type { Probe } from '../probe/health-probe.ts';
import { sleep, type Clock } from './clock.ts';
import { SUPERVISOR_POLICY } from './policy.ts';
import type { ChildHandle } from './spawner.ts';

export type Readiness = { ready: true } | { ready: false; reason: string; exited: boolean; cancelled: boolean };

export interface ReadinessOptions {
  child: ChildHandle;
  /** Full health URL, or null: ready once the process stayed up for a moment. */
  healthUrl: string | null;
  startTimeoutMs: number;
  requireListeningLine: boolean;
  clock: Clock;
  probe: Probe;
  signal: AbortSignal;
}

export function awaitReadiness(options: ReadinessOptions): Promise<Readiness> {
  const { child, clock, probe, signal } = options;
  return new Promise<Readiness>((resolve) => {
    let settled = false;
    const stop = new AbortController();
    const settle = (result: Readiness) => {
      if (settled) return;
      settled = true;
      stop.abort();
      clock.clearTimeout(timer);
      child.off('exit', onExit);
      child.off('line', onLine);
      signal.removeEventListener('abort', onCancel);
      resolve(result);
    };
    const onExit = (code: number | null, exitSignal: string | null) =>
      settle({ ready: false, exited: true, cancelled: false, reason: exitSignal ? `killed by ${exitSignal} during start` : `exited with code ${code} during start` });
    const onCancel = () => settle({ ready: false, exited: false, cancelled: true, reason: 'start cancelled' });
    let listening = !options.requireListeningLine;
    // Aborted when the child says it listens: the next probe goes at once
    // instead of after the rest of a poll interval (up to 100 ms of a start).
    let nap = new AbortController();
    const onLine = (_stream: string, line: string) => {
      if (line.includes('"listening"') && isListeningLine(line)) {
        listening = true;
        nap.abort();
      }
    };
    const timer = clock.setTimeout(
      () => settle({ ready: false, exited: false, cancelled: false, reason: `not healthy within ${options.startTimeoutMs} ms` }),
      options.startTimeoutMs,
    );
    if (child.exited) return onExit(null, null);
    child.on('exit', onExit);
    child.on('line', onLine);
    signal.addEventListener('abort', onCancel, { once: true });
    if (signal.aborted) return onCancel();
    if (child.pid === null) return;
    if (options.healthUrl === null) {
      const settleMs = Math.min(SUPERVISOR_POLICY.settleWithoutHealthMs, options.startTimeoutMs);
      void sleep(clock, settleMs, stop.signal).then(() => settle({ ready: true }));
      return;
    }
    const url = options.healthUrl;
    void (async () => {
      while (!stop.signal.aborted) {
        if (listening) {
          const result = await probe(url, Math.min(SUPERVISOR_POLICY.readinessProbeTimeoutMs, options.startTimeoutMs));
          if (result.ok && !stop.signal.aborted) return settle({ ready: true });
        }
        if (!nap.signal.aborted) await sleep(clock, SUPERVISOR_POLICY.readinessPollMs, AbortSignal.any([stop.signal, nap.signal]));
        nap = new AbortController();
      }
    })();
  });
}

function isListeningLine(line: string): boolean {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg === 'listening';
  } catch {
    return false;
  }
}
