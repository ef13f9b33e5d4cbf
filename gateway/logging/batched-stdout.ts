// The gateway's JSON log destination when stdout is not a terminal: pino's
// SonicBoom on fd 1, still synchronous, but the lines written during one
// event-loop turn leave in one write(2) at the end of that turn instead of one
// each. Under load one turn answers many requests, and the access line's
// write(2) was the largest single cost of logging (docs/benchmarks.md).
// Nothing waits longer than the turn it was logged in; the buffer is written
// synchronously on flush() (shutdown) and on process exit, crashes included.
import { pino, type DestinationStream } from 'pino';

export const BATCH_DEFAULTS = {
  /** Written at once past this many buffered bytes (below SonicBoom's 16 KiB maxWrite). */
  maxBufferedBytes: 8 * 1024,
};

export interface BatchedDestination extends DestinationStream {
  /** Writes what is buffered now (pino's logger.flush() calls it). */
  flush(callback?: (error?: Error) => void): void;
}

export function createBatchedDestination(fd = 1): BatchedDestination {
  // pino.destination's SonicBoom ignores EPIPE (a reader that went away) like pino's default.
  const boom = pino.destination({ dest: fd, sync: true, minLength: BATCH_DEFAULTS.maxBufferedBytes });
  let scheduled = false;
  // End of a turn: SonicBoom's flush() in sync mode is one write(2). Not its
  // flushSync(), which also fsyncs: an fsync per turn cost a fifth of the CPU
  // under load and tens of ms of latency (measured with --cpu-prof).
  const endOfTurn = () => {
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
        setImmediate(endOfTurn);
      }
    },
    flush(callback) {
      flushNow();
      callback?.();
    },
  };
}
