// A collector's cycle is a trace: lines logged inside it carry its trace_id,
// calls made inside it send a traceparent of that trace with a new span each,
// concurrent cycles keep their own, and nothing outside a cycle claims one.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { cycleLogFields, inNewTrace, outgoingTraceparent } from '../../../../upstreams/collectors/common/cycle-trace.ts';
import { traceBindingsOf } from '../../../../upstreams/common/trace.ts';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: pino({ mixin: cycleLogFields }, sink) };
}

describe('collector cycle traces', () => {
  it('tags lines and calls inside a cycle with its trace, and nothing outside one', async () => {
    const { lines, logger } = capture();
    logger.info('outside');
    expect(outgoingTraceparent()).toBeUndefined();
    const parents = await inNewTrace(async () => {
      logger.info('before an await');
      await new Promise((resolve) => setImmediate(resolve));
      logger.info('after an await');
      return [outgoingTraceparent()!, outgoingTraceparent()!];
    });
    expect(lines[0]).not.toHaveProperty('trace_id');
    const traceId = lines[1]!.trace_id;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[2]!.trace_id).toBe(traceId);
    const [first, second] = parents.map((header) => traceBindingsOf(header));
    expect(first?.trace_id).toBe(traceId);
    expect(second?.trace_id).toBe(traceId);
    expect(first?.parent_id).not.toBe(second?.parent_id);
  });

  it('keeps concurrent cycles apart', async () => {
    const { lines, logger } = capture();
    const cycle = (name: string) =>
      inNewTrace(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        logger.info(name);
      });
    await Promise.all([cycle('a'), cycle('b')]);
    expect(lines).toHaveLength(2);
    expect(lines[0]!.trace_id).not.toBe(lines[1]!.trace_id);
  });
});

describe('traceBindingsOf (upstreams)', () => {
  const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
  const PARENT = '00f067aa0ba902b7';
  it('reads a valid traceparent', () => {
    expect(traceBindingsOf(`00-${TRACE}-${PARENT}-01`)).toEqual({ trace_id: TRACE, parent_id: PARENT });
    expect(traceBindingsOf(`cc-${TRACE}-${PARENT}-01-future`)).toEqual({ trace_id: TRACE, parent_id: PARENT });
  });
  it.each([
    ['absent', undefined],
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper case', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['version 00 too long', `00-${TRACE}-${PARENT}-01-x`],
    ['repeated', [`00-${TRACE}-${PARENT}-01`]],
  ])('logs no trace for a traceparent %s', (_name, value) => {
    expect(traceBindingsOf(value)).toBeNull();
  });
});
