// The gateway's JSON log destination when stdout is not a terminal: pino's
// SonicBoom on fd 1, still synchronous, but lines leave in batches instead of one
// write(2) each. A line logged on a quiet process leaves at the end of its
// event-loop turn; while lines keep coming, at most one write(2) leaves per
// BATCH_DEFAULTS.minFlushIntervalMs (like Envoy's access-log flush interval or
// nginx's `access_log ... flush=`, much shorter). Paced traffic is the case this
// is for: there each turn answers one request, and a write(2) per turn was ~4 %
// of the gateway's CPU per request (docs/benchmarks.md).
// The buffer is written synchronously on flush() (shutdown) and on process exit,
// crashes included; only a SIGKILL can lose the last few ms of lines.
import { performance } from 'node:perf_hooks';
import { pino, type DestinationStream } from 'pino';

export const BATCH_DEFAULTS = {
  /** A batch leaves at once when it reaches this size (below SonicBoom's 16 KiB maxWrite). */
  maxBufferedBytes: 8 * 1024,
  /** While lines keep coming, one write(2) per this many ms at most: how late a line can reach stdout. */
  minFlushIntervalMs: 5,
};

export interface BatchedDestination extends DestinationStream {
  /** Writes what is buffered now (pino's logger.flush() calls it). */
  flush(callback?: (error?: Error) => void): void;
}

export function createBatchedDestination(fd = 1): BatchedDestination {
  // pino.destination's SonicBoom ignores EPIPE (a reader that went away) like pino's
  // default, and retries EAGAIN on a full pipe. It gets whole batches: its write()
  // measures the UTF-8 length of its pending buffer on every call (O(buffer) per
  // line: ~2 µs a line once a few lines wait), so lines wait here, as one string.
  const boom = pino.destination({ dest: fd, sync: true });
  let pending = '';
  let scheduled = false;
  let lastFlushAt = -Infinity;
  // One write(2). Not SonicBoom's flushSync(), which also fsyncs: an fsync per turn
  // cost a fifth of the CPU under load and tens of ms of latency (measured with --cpu-prof).
  const writePending = () => {
    if (pending === '') return;
    const batch = pending;
    pending = '';
    try {
      boom.write(batch);
    } catch {
      // stdout gone (EPIPE, EIO after the terminal hung up): nothing left to write to.
    }
  };
  const flushBatch = () => {
    scheduled = false;
    lastFlushAt = performance.now();
    writePending();
  };
  process.once('exit', writePending);
  return {
    write(line: string) {
      pending += line;
      // Counted in UTF-16 units (each at least one UTF-8 byte): no byte count per line.
      if (pending.length >= BATCH_DEFAULTS.maxBufferedBytes) return flushBatch();
      if (scheduled) return;
      scheduled = true;
      const wait = lastFlushAt + BATCH_DEFAULTS.minFlushIntervalMs - performance.now();
      // Quiet since the last write: this turn's lines leave at its end. Busy: they join the next batch.
      if (wait <= 0) setImmediate(flushBatch);
      else setTimeout(flushBatch, wait);
    },
    flush(callback) {
      writePending();
      callback?.();
    },
  };
}
