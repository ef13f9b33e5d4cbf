// The gateway's log lines: exactly one `service` and one `pid` per line, the
// child's for a re-logged child line; the terminal form shows both.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createGatewayLogger, formatTerminalLine } from '../../../../gateway/logging/logger.ts';
import { relogChildLine } from '../../../../gateway/supervisor/child-output.ts';

function sink(): { destination: Writable; raw: string[] } {
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { destination, raw };
}

const countKey = (line: string, key: string) => line.split(`"${key}":`).length - 1;

describe('createGatewayLogger', () => {
  it("writes the gateway's own lines with service=gateway and its pid, once each", async () => {
    const { destination, raw } = sink();
    createGatewayLogger({ destination }).info({ port: 8000 }, 'listening');
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.parse(raw[0]!)).toMatchObject({ name: 'gateway', service: 'gateway', pid: process.pid, msg: 'listening', port: 8000 });
    expect([countKey(raw[0]!, 'service'), countKey(raw[0]!, 'pid')]).toEqual([1, 1]);
  });

  it("writes a child's line with the child's service and pid, each key once", async () => {
    const { destination, raw } = sink();
    const logger = createGatewayLogger({ destination });
    relogChildLine(logger, 'orm_api', 'stdout', JSON.stringify({ level: 30, pid: 1, service: 'spoofed', msg: 'listening', port: 41234 }), 4242);
    relogChildLine(logger, 'orm_api', 'stderr', 'plain words', 4242);
    await new Promise((resolve) => setImmediate(resolve));
    expect(raw.map((line) => JSON.parse(line))).toMatchObject([
      { service: 'orm_api', pid: 4242, msg: 'listening', port: 41234, level: 30 },
      { service: 'orm_api', pid: 4242, msg: 'plain words', stream: 'stderr', level: 40 },
    ]);
    for (const line of raw) expect([countKey(line, 'service'), countKey(line, 'pid')]).toEqual([1, 1]);
  });

  it.each([
    [{ service: 'orm_api', pid: 4242, msg: 'listening' }, 'orm_api[4242] listening'],
    [{ msg: 'ready' }, 'gateway ready'],
  ])('shows %o on a terminal as %s', (log, expected) => {
    expect(formatTerminalLine(log, 'msg')).toBe(expected);
  });
});
