// A collector's traces: nobody's request starts its work, so each cycle is a
// trace of its own — one refresh of the follow list, one poll of an exchange
// (fetch + the cache/ohlcv writes it leads to), one read of an account. Every
// log line written inside a cycle carries its trace_id (the logger's mixin), and
// every call to an upstream sends a traceparent with a new span id, so the
// upstream's log lines for those writes carry the same trace_id.
// AsyncLocalStorage keeps the cycle across awaits without threading it through
// every function; the exchange workers of one process run concurrently, each in
// its own cycle.
import { AsyncLocalStorage } from 'node:async_hooks';
import { newSpanId, newTraceId } from '../../common/trace.ts';

interface Cycle {
  traceId: string;
}

const storage = new AsyncLocalStorage<Cycle>();

/** Runs one cycle of work as a new trace. */
export function inNewTrace<T>(work: () => Promise<T>): Promise<T> {
  return storage.run({ traceId: newTraceId() }, work);
}

/** The traceparent for a call made now: the cycle's trace, a new span; undefined outside a cycle. */
export function outgoingTraceparent(): string | undefined {
  const cycle = storage.getStore();
  return cycle ? `00-${cycle.traceId}-${newSpanId()}-00` : undefined;
}

/** pino mixin: the cycle's trace id on every line logged inside one. */
export function cycleLogFields(): { trace_id?: string } {
  const cycle = storage.getStore();
  return cycle ? { trace_id: cycle.traceId } : {};
}
