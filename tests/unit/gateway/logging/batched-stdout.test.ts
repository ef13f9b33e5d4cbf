// The batched log destination: every line reaches stdout, in order, on a normal
// turn, at a SIGTERM-driven exit and on a crash; lines of one turn share a write,
// and so do those of successive turns while they keep coming.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BATCH_DEFAULTS, PIPE_BUF_BYTES } from '../../../../gateway/logging/batched-stdout.ts';

const MODULE = fileURLToPath(new URL('../../../../gateway/logging/logger.ts', import.meta.url));

/** Runs a child that builds the gateway logger (stdout is a pipe, so the batched destination) and runs `body`. */
function runChild(body: string): { lines: Array<Record<string, unknown>>; status: number | null } {
  const script = `import { createGatewayLogger } from ${JSON.stringify(MODULE)};\nconst logger = createGatewayLogger({ level: 'info', pretty: false });\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, status: result.status };
}

/** Waits for a child to exit; its stderr as text. */
function runToEnd(child: ChildProcess): Promise<{ status: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

describe('createGatewayLogger on a pipe or a file (batched stdout)', () => {
  it('writes every line of a busy turn, in order', () => {
    const { lines, status } = runChild(`for (let i = 0; i < 500; i++) logger.info({ i }, 'request');`);
    expect(status).toBe(0);
    expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('loses nothing when SIGTERM ends the process through process.exit (the gateway shutdown path)', () => {
    const { lines, status } = runChild(`
      process.on('SIGTERM', () => { logger.info('stopped'); logger.flush(); process.exit(0); });
      for (let i = 0; i < 50; i++) logger.info({ i }, 'request');
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => {}, 10_000);`);
    expect(status).toBe(0);
    expect(lines).toHaveLength(51);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped' });
  });

  it('loses nothing when the process crashes right after logging', () => {
    const { lines, status } = runChild(`for (let i = 0; i < 20; i++) logger.info({ i }, 'request');\nthrow new Error('boom');`);
    expect(status).not.toBe(0);
    expect(lines).toHaveLength(20);
  });

  it('batches the lines of successive turns while they keep coming (one request per turn: paced traffic)', () => {
    // Counts the write(2) calls SonicBoom makes on stdout; the count leaves on stderr.
    const script = `import fs from 'node:fs';
const writeSync = fs.writeSync;
let writes = 0;
fs.writeSync = (fd, ...rest) => { if (fd === 1) writes++; return writeSync(fd, ...rest); };
const { createGatewayLogger } = await import(${JSON.stringify(MODULE)});
const logger = createGatewayLogger({ level: 'info', pretty: false });
let i = 0;
const next = () => { logger.info({ i }, 'request'); if (++i < 300) setImmediate(next); else setTimeout(() => { process.stderr.write(String(writes)); process.exit(0); }, 50); };
next();`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { i: number });
    expect(result.status).toBe(0);
    expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // One write per turn would be 300; lines written 5 ms apart at most are far fewer.
    expect(Number(result.stderr)).toBeLessThan(100);
  });

  it('writes whole lines, at most PIPE_BUF bytes at a time, and a longer line alone', () => {
    // Records every write(2) on stdout (its UTF-8 size, and whether it ends a line); the record leaves on stderr.
    const script = `import fs from 'node:fs';
const writeSync = fs.writeSync;
const writes = [];
fs.writeSync = (fd, data, ...rest) => {
  if (fd === 1) { const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8'); writes.push({ bytes: Buffer.byteLength(text), endsLine: text.endsWith('\\n') }); }
  return writeSync(fd, data, ...rest);
};
const { createGatewayLogger } = await import(${JSON.stringify(MODULE)});
const logger = createGatewayLogger({ level: 'info', pretty: false });
// Multi-byte text: counting UTF-16 units instead of bytes would let a batch pass PIPE_BUF.
for (let i = 0; i < 300; i++) logger.info({ i, text: '€é'.repeat(i % 60) }, 'request');
logger.info({ i: 300, text: 'x'.repeat(10_000) }, 'long');
for (let i = 301; i < 320; i++) logger.info({ i }, 'request');
setTimeout(() => { process.stderr.write(JSON.stringify(writes)); process.exit(0); }, 50);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { i: number; msg: string });
    expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 320 }, (_, i) => i));
    const writes = JSON.parse(result.stderr) as Array<{ bytes: number; endsLine: boolean }>;
    expect(writes.every((write) => write.endsLine)).toBe(true);
    const longLine = Buffer.byteLength(result.stdout.split('\n').find((line) => line.includes('"msg":"long"'))!) + 1;
    expect(writes.filter((write) => write.bytes > PIPE_BUF_BYTES).map((write) => write.bytes)).toEqual([longLine]);
    // Still batched: ~70 KiB of short lines in far fewer writes than lines.
    expect(writes.length).toBeLessThan(100);
  });

  it('writes the last lines of a busy spell within the flush interval, with nothing logged after them', () => {
    const { lines } = runChild(`
      let i = 0;
      const next = () => { logger.info({ i }, 'request'); if (++i < 100) setImmediate(next); };
      next();
      setTimeout(() => { process.stdout.write(JSON.stringify({ msg: 'marker' }) + '\\n'); process.exit(0); }, 200);`);
    expect(lines).toHaveLength(101);
    expect(lines.at(-1)).toMatchObject({ msg: 'marker' });
  });

  it('writes a line logged on an idle process without waiting for more', () => {
    // The child stays alive after logging; the line must arrive while it is still running.
    const { lines } = runChild(`logger.info('listening'); setImmediate(() => setImmediate(() => { process.stdout.write(JSON.stringify({ msg: 'marker' }) + '\\n'); process.exit(0); }));`);
    expect(lines.map((line) => line.msg)).toEqual(['listening', 'marker']);
  });

  it('writes larger batches to a regular file, still whole lines, and two processes appending to one file never cut each other', async () => {
    // Two writers share one log file opened for appending, as a pool's workers share `npm start >> gateway.log`;
    // each records the size of its write(2) calls on stdout, which leave on stderr.
    const writer = `import fs from 'node:fs';
const writeSync = fs.writeSync;
const sizes = [];
fs.writeSync = (fd, data, ...rest) => { if (fd === 1) sizes.push(Buffer.byteLength(typeof data === 'string' ? data : Buffer.from(data))); return writeSync(fd, data, ...rest); };
const { createGatewayLogger } = await import(${JSON.stringify(MODULE)});
const logger = createGatewayLogger({ level: 'info' });
const fill = 'x'.repeat(200);
let i = 0;
const next = () => { for (let k = 0; k < 100; k++) logger.info({ writer: process.argv[1], i: i++, fill }, 'request'); if (i < 2000) setImmediate(next); else setTimeout(() => { process.stderr.write(JSON.stringify(sizes)); }, 20); };
next();`;
    const dir = mkdtempSync(join(tmpdir(), 'batched-stdout-'));
    try {
      const file = join(dir, 'gateway.log');
      const fd = openSync(file, 'a');
      let sizes: number[];
      try {
        // Both at once: their batches land in the file side by side.
        const children = await Promise.all(['a', 'b'].map((name) => runToEnd(spawn(process.execPath, ['--input-type=module', '-e', writer, name], { stdio: ['ignore', fd, 'pipe'] }))));
        for (const child of children) expect(child.status).toBe(0);
        sizes = children.flatMap((child) => JSON.parse(child.stderr) as number[]);
      } finally {
        closeSync(fd);
      }
      // Bigger than a pipe's atomic write, never past the file batch cap.
      expect(Math.max(...sizes)).toBeGreaterThan(PIPE_BUF_BYTES);
      expect(Math.max(...sizes)).toBeLessThanOrEqual(BATCH_DEFAULTS.maxFileBatchBytes);
      const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
      expect(lines).toHaveLength(4000);
      for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps lines whole when two processes share one pipe and its reader lags (a worker pool behind docker logs)', () => {
    // Two writers inherit one stdout pipe, as a pool's workers do; the reader takes
    // 1 KiB at a time with a pause between reads, like a busy log shipper, so the
    // writers keep finding the pipe nearly full. Before batches were capped at
    // PIPE_BUF, 12–19 of these 4000 lines arrived cut in two in every run.
    const writer = `const { createGatewayLogger } = await import(${JSON.stringify(MODULE)});
const logger = createGatewayLogger({ level: 'info' });
const fill = 'x'.repeat(200);
let i = 0;
const next = () => { for (let k = 0; k < 40; k++) logger.info({ writer: process.argv[1], i: i++, fill }, 'request'); if (i < 2000) setImmediate(next); };
next();`;
    const pool = `import { spawn } from 'node:child_process';
const writers = ['a', 'b'].map((name) => spawn(process.execPath, ['--input-type=module', '-e', process.env.WRITER, name], { stdio: ['ignore', 'inherit', 'inherit'] }));
await Promise.all(writers.map((child) => new Promise((resolve) => child.on('exit', resolve))));`;
    const reader = `import fs from 'node:fs';
const piece = Buffer.alloc(1024);
const parts = [];
const nap = new Int32Array(new SharedArrayBuffer(4));
for (let n; (n = fs.readSync(0, piece, 0, piece.length, null)) > 0; ) {
  parts.push(Buffer.from(piece.subarray(0, n)));
  Atomics.wait(nap, 0, 0, 0.2);
}
process.stdout.write(Buffer.concat(parts));`;
    const result = spawnSync('sh', ['-c', '"$NODE" --input-type=module -e "$POOL" | "$NODE" --input-type=module -e "$READER"'], {
      encoding: 'utf8',
      timeout: 30_000,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, NODE: process.execPath, POOL: pool, WRITER: writer, READER: reader },
    });
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n').filter(Boolean);
    const broken = lines.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    expect(broken).toEqual([]);
    expect(lines).toHaveLength(4000);
  });
});

const BATCHED = fileURLToPath(new URL('../../../../gateway/logging/batched-stdout.ts', import.meta.url));

/** A child writing JSON lines `{ i }` straight to the batched destination, with the writer-thread mode given. */
function destinationChild(mode: 'now' | 'when-busy', body: string): string {
  return `import fs from 'node:fs';
import { isMainThread } from 'node:worker_threads';
const writeSync = fs.writeSync;
// write(2) calls on stdout made by this (the main) thread; the writer thread has its own fs.
let mainWrites = 0;
fs.writeSync = (fd, ...rest) => { if (fd === 1 && isMainThread) mainWrites++; return writeSync(fd, ...rest); };
const { createBatchedDestination } = await import(${JSON.stringify(BATCHED)});
const out = createBatchedDestination(1, { writerThread: ${JSON.stringify(mode)} });
const line = (i) => out.write(JSON.stringify({ i, fill: 'x'.repeat(100) }) + '\\n');
// After the destination's own exit handler: what this thread wrote, start to end.
process.on('exit', () => writeSync(2, 'exit main writes: ' + mainWrites + '\\n'));
${body}`;
}

function linesOf(stdout: string): number[] {
  return stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { i: number }).i);
}

describe('the batched destination with its writes on a thread of their own', () => {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('writes every line, in order, when the process exits on its own, through flush() and process.exit, and on a crash', () => {
    const endings = {
      natural: `for (let i = 0; i < 3000; i++) line(i);`,
      flushThenExit: `for (let i = 0; i < 3000; i++) line(i);\nout.flush(); process.exit(0);`,
      crash: `for (let i = 0; i < 3000; i++) line(i);\nthrow new Error('boom');`,
    };
    for (const [ending, body] of Object.entries(endings)) {
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', destinationChild('now', body)], { encoding: 'utf8', timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
      expect(result.status, ending).toBe(ending === 'crash' ? 1 : 0);
      expect(linesOf(result.stdout), ending).toEqual(range(3000));
      // Every batch left from the writer thread, the last ones at exit too.
      expect(result.stderr, ending).toContain('exit main writes: 0\n');
    }
  });

  it('writes a line larger than the thread\'s ring itself, after the batches before it and before those after', () => {
    const body = `for (let i = 0; i < 100; i++) line(i);
out.write(JSON.stringify({ i: 100, fill: 'x'.repeat(1_500_000) }) + '\\n');
for (let i = 101; i < 200; i++) line(i);`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', destinationChild('now', body)], { encoding: 'utf8', timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
    expect(result.status).toBe(0);
    expect(linesOf(result.stdout)).toEqual(range(200));
  });

  it('moves the writes to the thread once lines keep coming, keeping their order across the move', () => {
    // A line every millisecond or so: paced traffic, whose flushes the interval holds back
    // (a batch of ~5 lines each), so 600 lines make ~120 flushes, far past the threshold.
    const body = `let i = 0;
const next = () => { line(i++); if (i < 600) setTimeout(next, 1); else process.stderr.write('main writes: ' + mainWrites + ' lines: ' + i); };
next();`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', destinationChild('when-busy', body)], { encoding: 'utf8', timeout: 20_000, maxBuffer: 16 * 1024 * 1024 });
    expect(result.status).toBe(0);
    const [, mainWrites, count] = /main writes: (\d+) lines: (\d+)/.exec(result.stderr)!.map(Number);
    expect(linesOf(result.stdout)).toEqual(range(count!));
    // The first flushes were written here; after the threshold none were, though the lines kept coming.
    expect(mainWrites).toBeGreaterThan(0);
    expect(mainWrites).toBeLessThanOrEqual(BATCH_DEFAULTS.busyFlushesBeforeThread + 1);
  });

  it('keeps answering while the stdout pipe is full and its reader is not reading', async () => {
    // ~200 KB of lines, three times a pipe's capacity: written from this thread, the
    // writes would wait for the reader; here the child reports on stderr first, and the
    // test reads stdout only after that report.
    const body = `for (let i = 0; i < 2000; i++) line(i);
setImmediate(() => process.stderr.write('turned\\n'));`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', destinationChild('now', body)], { stdio: ['ignore', 'pipe', 'pipe'] });
    // A failure (a child stuck on its full pipe) must not leave it behind.
    onTestFinished(() => void child.kill('SIGKILL'));
    child.stdout!.pause();
    const turned = new Promise<void>((resolve) => {
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('turned') && resolve());
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await turned;
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stdout!.resume();
    expect(await exited).toBe(0);
    expect(linesOf(stdout)).toEqual(range(2000));
  });
});

