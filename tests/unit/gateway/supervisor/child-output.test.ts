// Child output re-logged into the gateway's log: parsed objects, not strings.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { relogChildLine } from '../../../../gateway/supervisor/child-output.ts';

function sink(): { logger: pino.Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => entries.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, entries };
}

describe('relogChildLine', () => {
  it('keeps a JSON line’s level, message and fields, tagged with the service', () => {
    const { logger, entries } = sink();
    relogChildLine(logger, 'orm', 'stdout', JSON.stringify({ level: 50, time: 1, pid: 9, hostname: 'h', service: 'spoofed', msg: 'db down', code: 'ECONNREFUSED' }), 4242);
    expect(entries[0]).toMatchObject({ level: 50, service: 'orm', msg: 'db down', code: 'ECONNREFUSED', pid: 4242 });
  });

  it.each([
    ['stdout', 30],
    ['stderr', 40],
  ] as const)('logs a plain %s line at level %i', (stream, level) => {
    const { logger, entries } = sink();
    relogChildLine(logger, 'ticker', stream, 'plain text {not json');
    expect(entries[0]).toMatchObject({ level, service: 'ticker', stream, msg: 'plain text {not json' });
  });
});
