// Server-Sent Events framing (WHATWG HTML, "Server-sent events", the
// text/event-stream format): one event is `field: value` lines ended by a blank
// line, and a CR, an LF or a CRLF anywhere ends a line. So every value written
// here is one line: the data is JSON (JSON.stringify escapes CR and LF inside
// strings and puts none between tokens), ids and event names are ours and
// checked. A log line holding "\n\ndata: ..." stays inside one JSON string.

/** The head of a stream: no caching anywhere, and no buffering in nginx-style proxies (X-Accel-Buffering). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
};

export interface SseEvent {
  /** The event id (`Last-Event-ID` on an EventSource reconnect). */
  id?: number | string;
  /** The event type; absent: a "message" event. */
  type?: string;
  /** Sent as JSON on one `data:` line. */
  data: unknown;
}

const LINE_BREAK = /[\r\n]/;

/** One event, JSON data on a single line; throws on an id or type that would break the framing. */
export function encodeSseEvent(event: SseEvent): string {
  const data = JSON.stringify(event.data) ?? 'null';
  // Unreachable for JSON; kept as the invariant the framing rests on.
  if (LINE_BREAK.test(data)) throw new Error('SSE data must be a single line');
  let text = '';
  if (event.id !== undefined) text += `id: ${singleLine('id', String(event.id))}\n`;
  if (event.type !== undefined) text += `event: ${singleLine('event', event.type)}\n`;
  return `${text}data: ${data}\n\n`;
}

/** A comment line (ignored by clients): heartbeats that keep idle proxies from closing the connection. */
export function encodeSseComment(text: string): string {
  return `: ${singleLine('comment', text)}\n\n`;
}

/** The reconnection delay an EventSource should use after a drop. */
export function encodeSseRetry(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`SSE retry must be a non-negative integer, got ${ms}`);
  return `retry: ${ms}\n\n`;
}

function singleLine(field: string, value: string): string {
  // An id with NUL is ignored by clients; a line break would start a new field.
  if (LINE_BREAK.test(value) || value.includes('\0')) throw new Error(`SSE ${field} must be a single line without NUL`);
  return value;
}
