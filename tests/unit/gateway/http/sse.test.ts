// Server-Sent Events framing: one event per entry whatever the entry's text holds.
import { describe, expect, it } from 'vitest';
import { encodeSseComment, encodeSseEvent, encodeSseRetry } from '../../../../gateway/http/sse.ts';

/** A minimal text/event-stream parser (the WHATWG steps that matter here): events with id, type and data. */
function parseEvents(text: string): Array<{ id?: string; type: string; data: string }> {
  const events: Array<{ id?: string; type: string; data: string }> = [];
  let current: { id?: string; type: string; data: string[] } = { type: 'message', data: [] };
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (current.data.length > 0) events.push({ ...(current.id !== undefined ? { id: current.id } : {}), type: current.type, data: current.data.join('\n') });
      current = { type: 'message', data: [] };
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') current.data.push(value);
    else if (field === 'event') current.type = value;
    else if (field === 'id') current.id = value;
  }
  return events;
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
    expect(events[0]!.type).toBe('message');
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
