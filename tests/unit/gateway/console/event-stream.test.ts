// The console's text/event-stream parser: events split anywhere across network
// chunks, the three line ends, comments and the fields it ignores.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: the console's browser module is plain JavaScript without types.
import { EventStreamParser } from '../../../../gateway/console/static/event-stream.js';

const STREAM = 'retry: 3000\n\nid: 1\ndata: {"msg":"a"}\n\n: heartbeat\n\nid: 2\r\nevent: skipped\r\ndata: {"skipped":4}\r\n\r\nid: 3\rdata: {"msg":"c"}\r\r: bye\n';
const EXPECTED = [
  { id: '1', event: 'message', data: '{"msg":"a"}' },
  { id: '2', event: 'skipped', data: '{"skipped":4}' },
  { id: '3', event: 'message', data: '{"msg":"c"}' },
];

describe('console EventStreamParser', () => {
  it('parses whole events, with LF, CRLF and CR line ends, skipping comments and retry', () => {
    expect(new EventStreamParser().push(STREAM)).toEqual(EXPECTED);
  });

  it.each([1, 2, 3, 7, 13])('gives the same events when the text arrives in %i-character chunks (a CRLF split in two included)', (size) => {
    const parser = new EventStreamParser();
    const events = [];
    for (let i = 0; i < STREAM.length; i += size) events.push(...parser.push(STREAM.slice(i, i + size)));
    expect(events).toEqual(EXPECTED);
  });

  it('waits on a CR at the end of a chunk, which may be the first half of a CRLF', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: x\r\r')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'x' }]);
  });

  it('joins several data lines with LF, and keeps the last id for events without one', () => {
    expect(new EventStreamParser().push('id: 9\ndata: a\ndata: b\n\ndata: c\n\n')).toEqual([
      { id: '9', event: 'message', data: 'a\nb' },
      { id: '9', event: 'message', data: 'c' },
    ]);
  });
});
