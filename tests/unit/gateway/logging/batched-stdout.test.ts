// The batched log destination: every line reaches stdout, in order, on a normal
// turn, at a SIGTERM-driven exit and on a crash; lines of one turn share a write,
// and so do those of successive turns while they keep coming.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
