// A thread of its own for the log's write(2) calls, so a slow write never stalls
// the event loop that answers requests. On ext4 an append waits now and then for
// the journal (5–8 ms measured under a paced load, ~65 µs on average), and a pipe
// whose reader lags makes every write wait; Envoy flushes its access logs from a
// thread for the same reason.
//
// The event loop hands over whole batches (batched-stdout.ts builds them, at most
// one atomic pipe write each) through a ring in shared memory: it copies a batch's
// bytes in, ~1.5 µs for 8 KiB. Waking the thread for each batch is what costs:
// postMessage, or an Atomics.notify to a sleeping thread, took ~25 µs a batch on
// these VMs (a cross-CPU wake-up), more than the write(2) it replaced. So while
// lines keep coming the thread wakes itself every POLL_MS and writes what arrived,
// each batch with one write(2) straight from the ring, in order; only after
// IDLE_POLLS empty polls does it sleep until the event loop wakes it. At exit,
// where nothing asynchronous runs any more, the process waits on the ring's read
// position for the thread to finish.
import { Worker } from 'node:worker_threads';

/** Ring size: batches waiting beyond this make the event loop wait (a stalled reader), so memory stays bounded. */
export const RING_BYTES = 1 << 20;

export interface LogWriterThread {
  /**
   * Hands one batch over (`bytes`: its UTF-8 length), written after every batch handed over
   * before it. false: not taken (larger than the ring, or the thread is gone); every batch
   * taken before it has been written, so the caller writes this one itself, in order.
   */
  post(batch: string, bytes: number): boolean;
  /** Waits, blocking, until every batch handed over is written or `timeoutMs` passed; true when all were. */
  drain(timeoutMs: number): boolean;
  /** False once the thread failed: the caller writes itself again. */
  readonly alive: boolean;
}

// Control words (Int32): where the next record goes and where the thread reads next,
// both counting bytes since the start and wrapping at 2^32, a multiple of the ring size.
const WRITE = 0;
const READ = 1;
/** 1 while the thread sleeps until woken (not polling): the next batch must wake it. */
const SLEEPING = 2;
/** While lines keep coming the thread looks for batches this often: how much later than its batch a line can reach stdout. */
export const POLL_MS = 5;
/** Empty polls (POLL_MS each) before the thread sleeps until woken: an idle gateway's writer costs nothing. */
const IDLE_POLLS = 40;
/** A record's length word: this many bytes follow; SKIP: the rest of the ring is unused, go on at its start. */
const SKIP = -1;
const HEADER_BYTES = 4;

// CommonJS, evaluated by the thread: nothing to resolve, nothing to compile. It
// sleeps in Atomics.wait, so it has no event loop to run and costs nothing idle.
const THREAD_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const { fd, control, ring, size } = workerData;
const lengths = new Int32Array(ring);
const bytes = Buffer.from(ring);
const nap = new Int32Array(new SharedArrayBuffer(4));
const mask = size - 1;
function writeWhole(start, length) {
  let done = 0;
  while (done < length) {
    try {
      done += writeSync(fd, bytes, start + done, length - done);
    } catch (error) {
      // A full non-blocking pipe: wait for its reader, as a blocking write would.
      if (error.code === 'EAGAIN') { Atomics.wait(nap, 0, 0, 1); continue; }
      // EPIPE, EIO: the reader or the terminal is gone; there is nowhere left to write.
      return;
    }
  }
}
let idle = 0;
for (;;) {
  const read = Atomics.load(control, ${READ});
  const write = Atomics.load(control, ${WRITE});
  if (read === write) {
    if (++idle < ${IDLE_POLLS}) { Atomics.wait(control, ${WRITE}, write, ${POLL_MS}); continue; }
    // Say so before the last look: the event loop stores its batch, then reads this flag.
    Atomics.store(control, ${SLEEPING}, 1);
    if (Atomics.load(control, ${WRITE}) === write) Atomics.wait(control, ${WRITE}, write);
    Atomics.store(control, ${SLEEPING}, 0);
    idle = 0;
    continue;
  }
  idle = 0;
  const at = read & mask;
  const length = lengths[at >> 2];
  let next;
  if (length === ${SKIP}) next = (read + (size - at)) | 0;
  else {
    writeWhole(at + ${HEADER_BYTES}, length);
    next = (read + ${HEADER_BYTES} + ((length + 3) & ~3)) | 0;
  }
  Atomics.store(control, ${READ}, next);
  Atomics.notify(control, ${READ});
}
`;

export function startLogWriterThread(fd: number, size = RING_BYTES): LogWriterThread {
  const control = new Int32Array(new SharedArrayBuffer(12));
  const ring = new SharedArrayBuffer(size);
  const lengths = new Int32Array(ring);
  const bytes = Buffer.from(ring);
  const mask = size - 1;
  // No inherited flags: a profiler or inspector flag of the process is not for this thread.
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { fd, control, ring, size }, execArgv: [] });
  let alive = true;
  const fail = () => void (alive = false);
  worker.once('error', fail);
  worker.once('exit', fail);
  // It never keeps the process alive: exit waits for it explicitly (drain).
  worker.unref();

  /** Blocks until at least `needed` bytes of the ring are free (or the deadline or the thread is gone). */
  const waitForRoom = (needed: number, deadline: number): boolean => {
    for (;;) {
      const read = Atomics.load(control, READ);
      if (size - ((Atomics.load(control, WRITE) - read) | 0) >= needed) return true;
      const left = deadline - Date.now();
      if (left <= 0 || !alive) return false;
      // Waiting on the thread: wake it rather than wait for its next poll.
      Atomics.notify(control, WRITE);
      Atomics.wait(control, READ, read, Math.min(left, 50));
    }
  };

  const drain = (timeoutMs: number) => waitForRoom(size, Date.now() + timeoutMs);

  return {
    post(batch, length) {
      const record = HEADER_BYTES + ((length + 3) & ~3);
      let write = Atomics.load(control, WRITE);
      const at = write & mask;
      // A record never wraps: one write(2) per batch, straight from the ring.
      const skip = size - at < record ? size - at : 0;
      if (skip + record > size || !waitForRoom(skip + record, Infinity)) {
        // Larger than the whole ring (one huge line), or the thread is gone: the caller's, after the rest.
        drain(Infinity);
        return false;
      }
      if (skip > 0) {
        lengths[at >> 2] = SKIP;
        write = (write + skip) | 0;
      }
      const start = write & mask;
      lengths[start >> 2] = length;
      bytes.write(batch, start + HEADER_BYTES, length, 'utf8');
      Atomics.store(control, WRITE, (write + record) | 0);
      // Polling, it finds the batch within POLL_MS; asleep, it needs the (costly) wake-up.
      if (Atomics.load(control, SLEEPING) === 1) Atomics.notify(control, WRITE);
      return true;
    },
    drain,
    get alive() {
      return alive;
    },
  };
}
