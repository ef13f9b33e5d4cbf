// Server-Sent Events framing: one event per entry whatever the entry's text holds,
// read back by the console's own parser.
import { describe, expect, it } from 'vitest';
import { encodeSseComment, encodeSseEvent, encodeSseRetry } from '../../../../gateway/http/sse.ts';
// @ts-expect-error: the console's browser module is plain JavaScript without types.
import { EventStreamParser } from '../../../../gateway/console/static/event-stream.js';

/** Parsed as the console parses the stream (gateway/console/static/event-stream.js). */
function parseEvents(text: string): Array<{ id?: string; event: string; data: string }> {
  return new EventStreamParser().push(text);
}

describe('encodeSseEvent', () => {
  it('writes id, type and JSON data, ended by a blank line', () => {
    expect(encodeSseEvent({ id: 7, type: 'skipped', data: { skipped: 3 } })).toBe('id: 7\nevent: skipped\ndata: {"skipped":3}\n\n');
    expect(encodeSseEvent({ data: { msg: 'hi' } })).toBe('data: {"msg":"hi"}\n\n');
  });

  it.each([
    ['LF and a forged event', 'a\n\ndata: {"forged":true}\n\nid: 999'],
    ['CR alone', 'a\rdata: forged\r\r'],
    ['CRLF', 'a\r\nevent: end\r\n\r\n'],
    ['a field-looking start', 'data: {"msg":"x"}'],
    ['NUL and separators', 'a\u0000b\u2028c\u2029d'],
  ])('keeps a line with %s inside one event', (_label, msg) => {
    const text = encodeSseEvent({ id: 1, data: { msg, fields: { nested: msg } } });
    const events = parseEvents(text);
    expect(events).toHaveLength(1);
    expect(events[0]!.id).toBe('1');
    expect(events[0]!.event).toBe('message');
    expect(JSON.parse(events[0]!.data)).toEqual({ msg, fields: { nested: msg } });
  });

  it.each([['id', { id: '1\n2', data: null }], ['type', { type: 'a\rb', data: null }], ['NUL id', { id: 'a\u0000', data: null }]])('refuses a %s that would break the framing', (_label, event) => {
    expect(() => encodeSseEvent(event)).toThrow(/single line/);
  });

  it('encodes undefined data as null rather than an empty event', () => {
    expect(encodeSseEvent({ data: undefined })).toBe('data: null\n\n');
  });
});

describe('comments and retry', () => {
  it('writes a comment clients ignore, and the retry field', () => {
    expect(encodeSseComment('heartbeat')).toBe(': heartbeat\n\n');
    expect(parseEvents(encodeSseComment('heartbeat'))).toEqual([]);
    expect(encodeSseRetry(3000)).toBe('retry: 3000\n\n');
  });

  it('refuses a comment with a line break and a bad retry', () => {
    expect(() => encodeSseComment('a\ndata: x')).toThrow();
    expect(() => encodeSseRetry(-1)).toThrow();
    expect(() => encodeSseRetry(1.5)).toThrow();
  });
});
