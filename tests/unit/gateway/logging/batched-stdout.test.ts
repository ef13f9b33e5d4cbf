// The batched log destination: every line reaches stdout, in order, on a normal
// turn, at a SIGTERM-driven exit and on a crash; lines of one turn share a write,
// and so do those of successive turns while they keep coming.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../../../gateway/logging/logger.ts', import.meta.url));

/** Runs a child that builds the gateway logger (stdout is a pipe, so the batched destination) and runs `body`. */
function runChild(body: string): { lines: Array<Record<string, unknown>>; status: number | null } {
  const script = `import { createGatewayLogger } from ${JSON.stringify(MODULE)};\nconst logger = createGatewayLogger({ level: 'info', pretty: false });\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  const lines = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { lines, status: result.status };
}

describe('createGatewayLogger on a pipe (batched stdout)', () => {
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
});
