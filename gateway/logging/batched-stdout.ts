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
//
// Every process of a pool (the primary and its WORKERS) writes to the one stdout
// it inherited, often a pipe (docker's log driver, `| tee`). A write(2) to a
// pipe is atomic only up to PIPE_BUF bytes: a longer one, when the reader lags
// and the pipe is nearly full, goes in pieces, and another worker's batch can
// land between them, cutting lines in two for every log shipper. So a batch is
// whole lines and at most PIPE_BUF bytes; only a single line longer than that is
// written alone. A regular file (`npm start >> gateway.log`) has no such limit:
// Linux writes one write(2) to a file under the inode's lock (and places an
// O_APPEND one atomically), so another process's write never lands inside it.
// There a batch may grow to 64 KiB: at a paced 5 500 req/s a 4 KiB cap meant a
// write(2) every ~2 ms, each ~50 µs on ext4 (docs/benchmarks.md, twelfth pass).
//
// Once lines keep coming (BATCH_DEFAULTS.busyFlushesBeforeThread flushes that had
// to wait for the interval), the write(2) calls move to a thread of their own
// (log-writer-thread.ts): an append that waits for ext4's journal, or a pipe whose
// reader lags, then holds up that thread and not the requests (docs/benchmarks.md,
// thirteenth pass). Batches keep their order and their size; flush() and process
// exit hand over what is buffered and wait for the thread to write it.
import { fstatSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino, type DestinationStream } from 'pino';
import { startLogWriterThread, type LogWriterThread } from './log-writer-thread.ts';

/** POSIX PIPE_BUF: Linux's 4096; 512 (the POSIX minimum, macOS's value) elsewhere. */
export const PIPE_BUF_BYTES = process.platform === 'linux' ? 4096 : 512;

export const BATCH_DEFAULTS = {
  /** A batch never grows past this many bytes (one atomic pipe write); it leaves when the next line would not fit. */
  maxBatchBytes: PIPE_BUF_BYTES,
  /** The same when the destination is a regular file. */
  maxFileBatchBytes: 64 * 1024,
  /** While lines keep coming, one write(2) per this many ms at most: how late a line can reach stdout. */
  minFlushIntervalMs: 5,
  /** Flushes held back by the interval before the writes move to their own thread: a second or so of steady traffic, never a start-up. */
  busyFlushesBeforeThread: 32,
  /** How long flush() and process exit wait for the writer thread's batches. */
  drainTimeoutMs: 2000,
};

export interface BatchedDestinationOptions {
  /** 'when-busy' (default): a writer thread once lines keep coming; 'now': from the start. */
  writerThread?: 'when-busy' | 'now';
}

export interface BatchedDestination extends DestinationStream {
  /** Writes what is buffered now (pino's logger.flush() calls it). */
  flush(callback?: (error?: Error) => void): void;
}

export function createBatchedDestination(fd = 1, options: BatchedDestinationOptions = {}): BatchedDestination {
  const writerThread = options.writerThread ?? 'when-busy';
  const maxBatchBytes = isRegularFile(fd) ? BATCH_DEFAULTS.maxFileBatchBytes : BATCH_DEFAULTS.maxBatchBytes;
  // pino.destination's SonicBoom ignores EPIPE (a reader that went away) like pino's
  // default, and retries EAGAIN on a full pipe. It gets whole batches: its write()
  // measures the UTF-8 length of its pending buffer on every call (O(buffer) per
  // line: ~2 µs a line once a few lines wait), so lines wait here, as one string.
  const boom = pino.destination({ dest: fd, sync: true });
  let pending = '';
  /** UTF-8 bytes in pending: each line measured once, as it comes. */
  let pendingBytes = 0;
  let scheduled = false;
  let lastFlushAt = -Infinity;
  let thread: LogWriterThread | null = writerThread === 'now' ? startThread(fd) : null;
  let heldBackFlushes = 0;
  // One write(2). Not SonicBoom's flushSync(), which also fsyncs: an fsync per turn
  // cost a fifth of the CPU under load and tens of ms of latency (measured with --cpu-prof).
  const writeHere = (batch: string) => {
    try {
      boom.write(batch);
    } catch {
      // stdout gone (EPIPE, EIO after the terminal hung up): nothing left to write to.
    }
  };
  const writePending = () => {
    if (pending === '') return;
    const batch = pending;
    const bytes = pendingBytes;
    pending = '';
    pendingBytes = 0;
    if (!thread?.alive || !thread.post(batch, bytes)) writeHere(batch);
  };
  // Everything buffered, then a blocking wait for the thread: at exit nothing asynchronous
  // runs on this thread any more, but the writer thread still does.
  const writeEverything = () => {
    writePending();
    if (thread?.alive) thread.drain(BATCH_DEFAULTS.drainTimeoutMs);
  };
  const flushBatch = () => {
    scheduled = false;
    lastFlushAt = performance.now();
    writePending();
  };
  process.once('exit', writeEverything);
  return {
    write(line: string) {
      const bytes = Buffer.byteLength(line);
      // Whole lines only: what is buffered leaves before a line that would push the batch past one atomic write.
      if (pendingBytes + bytes > maxBatchBytes) writePending();
      pending += line;
      pendingBytes += bytes;
      if (pendingBytes >= maxBatchBytes) return flushBatch();
      if (scheduled) return;
      scheduled = true;
      const wait = lastFlushAt + BATCH_DEFAULTS.minFlushIntervalMs - performance.now();
      // Quiet since the last write: this turn's lines leave at its end. Busy: they join the next batch.
      if (wait <= 0) return void setImmediate(flushBatch);
      setTimeout(flushBatch, wait);
      if (writerThread === 'when-busy' && ++heldBackFlushes === BATCH_DEFAULTS.busyFlushesBeforeThread) thread = startThread(fd);
    },
    flush(callback) {
      writeEverything();
      callback?.();
    },
  };
}

/** The writer thread, or null when one cannot start (the writes then stay on this thread). */
function startThread(fd: number): LogWriterThread | null {
  try {
    return startLogWriterThread(fd);
  } catch {
    return null;
  }
}

function isRegularFile(fd: number): boolean {
  try {
    return fstatSync(fd).isFile();
  } catch {
    // A closed or odd descriptor: the pipe rule, which is safe everywhere.
    return false;
  }
}
