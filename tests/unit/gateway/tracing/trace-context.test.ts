// W3C Trace Context at the edge: which traceparent/tracestate values are
// continued, which are replaced by a new trace (or dropped), table-driven from
// the spec's rules (https://www.w3.org/TR/trace-context/ §3.2, §3.3).
import { describe, expect, it } from 'vitest';
import {
  formatTraceparent,
  isValidTraceparent,
  MAX_TRACESTATE_LENGTH,
  newSpanId,
  newTraceId,
  readTraceHeaders,
  validTracestate,
  type TraceFields,
} from '../../../../gateway/tracing/trace-context.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;

const fresh = (): TraceFields => ({ traceId: '', spanId: '', parentSpanId: '', traceFlags: '00', traceState: '' });

describe('isValidTraceparent', () => {
  it.each([
    ['version 00, sampled', VALID],
    ['version 00, not sampled', `00-${TRACE}-${PARENT}-00`],
    ['a later version with an extra field (§4.3)', `cc-${TRACE}-${PARENT}-01-what-the-future-holds`],
    ['a later version of exactly 55 characters', `01-${TRACE}-${PARENT}-09`],
  ])('accepts %s', (_name, value) => {
    expect(isValidTraceparent(value)).toBe(true);
  });

  it.each([
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['an upper-case version', `0A-${TRACE}-${PARENT}-01`],
    ['a short trace id', `00-${TRACE.slice(1)}-${PARENT}-01`],
    ['a long trace id', `00-${TRACE}0-${PARENT}-01`],
    ['a short parent id', `00-${TRACE}-${PARENT.slice(1)}-01`],
    ['a one-character flags field', `00-${TRACE}-${PARENT}-1`],
    ['version 00 with a trailing field', `${VALID}-extra`],
    ['version 00 with trailing space', `${VALID} `],
    ['a later version with junk right after the flags', `cc-${TRACE}-${PARENT}-01x`],
    ['two headers joined by Node', `${VALID}, ${VALID}`],
    ['non-hex characters', `00-${TRACE.slice(0, 31)}g-${PARENT}-01`],
    ['underscores as separators', `00_${TRACE}_${PARENT}_01`],
    ['an empty value', ''],
  ])('refuses %s', (_name, value) => {
    expect(isValidTraceparent(value)).toBe(false);
  });
});

describe('validTracestate', () => {
  it.each([
    ['one member', 'congo=t61rcWkgMzE', 'congo=t61rcWkgMzE'],
    ['two members with spaces and an empty one', 'rojo=00f067aa0ba902b7 , ,congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
    ['a multi-tenant key', 'fw529a3039@dt=ZmYtYWRk', 'fw529a3039@dt=ZmYtYWRk'],
    ['several header lines', ['a=1', 'b=2'], 'a=1,b=2'],
  ])('keeps %s', (_name, value, expected) => {
    expect(validTracestate(value)).toBe(expected);
  });

  it.each([
    ['an upper-case key', 'Congo=1'],
    ['a key starting with a digit (not multi-tenant)', '1abc=1'],
    ['a value with "="', 'a=b=c'],
    ['a control character in a value', 'a=b\tc'],
    ['a value longer than 256 characters', `a=${'x'.repeat(257)}`],
    ['a missing value', 'a='],
    ['no "="', 'abc'],
    ['a repeated key', 'a=1,a=2'],
    ['a non-ASCII value', 'a=ü'],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['more than 512 characters', `a=${'x'.repeat(255)},b=${'y'.repeat(255)}`],
  ])('drops %s', (_name, value) => {
    expect(validTracestate(value)).toBe('');
  });

  it('takes 32 members and up to 512 characters', () => {
    const members = Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(',');
    expect(validTracestate(members)).toBe(members);
    const long = `a=${'x'.repeat(256)},b=${'y'.repeat(250)}`;
    expect(long.length).toBeLessThanOrEqual(MAX_TRACESTATE_LENGTH);
    expect(validTracestate(long)).toBe(long);
  });
});

describe('readTraceHeaders', () => {
  it('continues a valid trace under a new span of its own, keeping the sampled flag and the tracestate', () => {
    const fields = fresh();
    readTraceHeaders(VALID, 'congo=t61rcWkgMzE', false, fields);
    expect(fields).toMatchObject({ traceId: TRACE, parentSpanId: PARENT, traceFlags: '01', traceState: 'congo=t61rcWkgMzE' });
    expect(fields.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(fields.spanId).not.toBe(PARENT);
    expect(formatTraceparent(fields)).toBe(`00-${TRACE}-${fields.spanId}-01`);
  });

  it('forwards only the sampled bit of the flags', () => {
    const fields = fresh();
    readTraceHeaders(`00-${TRACE}-${PARENT}-ff`, undefined, false, fields);
    expect(fields.traceFlags).toBe('01');
    readTraceHeaders(`00-${TRACE}-${PARENT}-fe`, undefined, false, fields);
    expect(fields.traceFlags).toBe('00');
  });

  it.each([
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['a wrong length', `00-${TRACE}-${PARENT}-011`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['two values', [VALID, VALID]],
  ])('replaces a traceparent with %s by a new trace and drops its tracestate', (_name, value) => {
    const fields = fresh();
    readTraceHeaders(value, 'congo=t61rcWkgMzE', true, fields);
    expect(fields.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fields.traceId).not.toBe(TRACE);
    expect(fields).toMatchObject({ parentSpanId: '', traceFlags: '01', traceState: '' });
  });

  it('keeps a valid trace but drops an oversize tracestate', () => {
    const fields = fresh();
    readTraceHeaders(VALID, `a=${'x'.repeat(255)},b=${'y'.repeat(255)}`, false, fields);
    expect(fields).toMatchObject({ traceId: TRACE, traceState: '' });
  });

  it('starts new traces unsampled unless spans are exported', () => {
    const fields = fresh();
    readTraceHeaders(undefined, undefined, false, fields);
    expect(fields.traceFlags).toBe('00');
  });
});

describe('new ids', () => {
  it('are lower-case hex of the right length, non-zero and distinct across a pool refill', () => {
    const traces = new Set(Array.from({ length: 600 }, () => newTraceId()));
    const spans = new Set(Array.from({ length: 600 }, () => newSpanId()));
    expect(traces.size).toBe(600);
    expect(spans.size).toBe(600);
    for (const id of traces) expect(isValidTraceparent(`00-${id}-${PARENT}-00`)).toBe(true);
    for (const id of spans) expect(isValidTraceparent(`00-${TRACE}-${id}-00`)).toBe(true);
  });
});
