// A thread of its own for the log's write(2) calls, so a slow write never stalls
// the event loop that answers requests. On ext4 an append waits now and then for
// the journal (5–8 ms measured under a paced load, ~60 µs on average), and a pipe
// whose reader lags makes every write wait; Envoy flushes its access logs from a
// thread for the same reason.
//
// The event loop hands over whole batches (batched-stdout.ts builds them, at most
// one atomic pipe write each); this thread writes each with one write(2), in the
// order given. A shared counter says how many it has written, so the process can
// wait for them at exit, where nothing asynchronous runs any more.
import { Worker } from 'node:worker_threads';

/** Batches handed over and not yet written before the event loop waits: memory stays bounded when the reader stalls. */
export const MAX_BATCHES_IN_FLIGHT = 64;

export interface LogWriterThread {
  /** Hands one batch over (written after every batch handed over before it). */
  post(batch: string): void;
  /** Waits, blocking, until every batch handed over is written or `timeoutMs` passed; true when all were. */
  drain(timeoutMs: number): boolean;
  /** False once the thread failed: the caller writes itself again. */
  readonly alive: boolean;
}

// CommonJS, evaluated by the thread: nothing to resolve, nothing to compile.
const THREAD_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { fd, written } = workerData;
const nap = new Int32Array(new SharedArrayBuffer(4));
function writeWhole(text) {
  const bytes = Buffer.from(text);
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (error) {
      // A full non-blocking pipe: wait for its reader, as a blocking write would.
      if (error.code === 'EAGAIN') { Atomics.wait(nap, 0, 0, 1); continue; }
      // EPIPE, EIO: the reader or the terminal is gone; there is nowhere left to write.
      return;
    }
  }
}
parentPort.on('message', ({ seq, batch }) => {
  writeWhole(batch);
  Atomics.store(written, 0, seq);
  Atomics.notify(written, 0);
});
`;

export function startLogWriterThread(fd: number): LogWriterThread {
  const written = new Int32Array(new SharedArrayBuffer(4));
  // No inherited flags: a profiler or inspector flag of the process is not for this thread.
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { fd, written }, execArgv: [] });
  // Sequence numbers wrap as int32 (the shared counter's type); differences stay right while fewer than 2^31 are in flight.
  let posted = 0;
  const inFlight = (done: number) => (posted - done) | 0;
  let alive = true;
  const fail = () => void (alive = false);
  worker.once('error', fail);
  worker.once('exit', fail);
  // It never keeps the process alive: exit waits for it explicitly (drain).
  worker.unref();

  const waitBelow = (limit: number, deadline: number): boolean => {
    for (;;) {
      const done = Atomics.load(written, 0);
      if (inFlight(done) <= limit) return true;
      const left = deadline - Date.now();
      if (left <= 0 || !alive) return false;
      Atomics.wait(written, 0, done, Math.min(left, 50));
    }
  };

  return {
    post(batch) {
      // Behind by this much, the reader has stalled: wait like a blocking write would, instead of queueing without bound.
      if (inFlight(Atomics.load(written, 0)) >= MAX_BATCHES_IN_FLIGHT) waitBelow(MAX_BATCHES_IN_FLIGHT - 1, Infinity);
      posted = (posted + 1) | 0;
      worker.postMessage({ seq: posted, batch });
    },
    drain(timeoutMs) {
      return waitBelow(0, Date.now() + timeoutMs);
    },
    get alive() {
      return alive;
    },
  };
}
