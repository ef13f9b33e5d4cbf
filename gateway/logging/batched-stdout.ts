// The gateway's JSON log destination when stdout is not a terminal: pino's
// SonicBoom on fd 1, still synchronous, but lines are gathered and leave in one
// write(2) at most every BATCH_DEFAULTS.flushMs (or once 8 KiB are waiting),
// instead of one write each, or one per event-loop turn: under load a turn
// answers only a few requests, and those writes were a tenth of the access log's
// cost (docs/benchmarks.md). Like nginx's `access_log ... buffer= flush=`, with a
// far shorter flush. The buffer is written synchronously on flush() (shutdown) and
// on process exit, crashes included; only a SIGKILL can lose the last few ms.
import { pino, type DestinationStream } from 'pino';

export const BATCH_DEFAULTS = {
  /** Written at once past this many buffered bytes (below SonicBoom's 16 KiB maxWrite). */
  maxBufferedBytes: 8 * 1024,
  /** The longest a line waits for its write. */
  flushMs: 10,
};

export interface BatchedDestination extends DestinationStream {
  /** Writes what is buffered now (pino's logger.flush() calls it). */
  flush(callback?: (error?: Error) => void): void;
}

export function createBatchedDestination(fd = 1): BatchedDestination {
  // pino.destination's SonicBoom ignores EPIPE (a reader that went away) like pino's default.
  const boom = pino.destination({ dest: fd, sync: true, minLength: BATCH_DEFAULTS.maxBufferedBytes });
  let scheduled = false;
  // SonicBoom's flush() in sync mode is one write(2). Not its flushSync(), which
  // also fsyncs: an fsync per write cost a fifth of the CPU under load and tens
  // of ms of latency (measured with --cpu-prof).
  const flushWaiting = () => {
    scheduled = false;
    try {
      boom.flush();
    } catch {
      // stdout gone (EPIPE, EIO after the terminal hung up): nothing left to write to.
    }
  };
  // Shutdown and exit: everything out, synchronously.
  const flushNow = () => {
    scheduled = false;
    try {
      boom.flushSync();
    } catch {
      // As above.
    }
  };
  process.once('exit', flushNow);
  return {
    write(line: string) {
      boom.write(line);
      if (!scheduled) {
        scheduled = true;
        // unref: a pending log write must not keep a finished process alive (exit flushes it).
        setTimeout(flushWaiting, BATCH_DEFAULTS.flushMs).unref();
      }
    },
    flush(callback) {
      flushNow();
      callback?.();
    },
  };
}
