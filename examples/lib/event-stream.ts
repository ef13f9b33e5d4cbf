// A Server-Sent Events reader over fetch (what an admin script or the console
// does: EventSource cannot send an Authorization header). It parses
// text/event-stream with the console's own parser (the WHATWG steps: fields,
// comments, CR / LF / CRLF line ends) and lets the caller wait for the event it expects.
// @ts-expect-error: the console's browser module is plain JavaScript without types.
import { EventStreamParser } from '../../gateway/console/static/event-stream.js';
import { gatewayUrl } from './client.ts';

export interface SseMessage {
  id?: string;
  /** "message" unless the event named its type. */
  event: string;
  data: string;
}

export interface EventStream {
  status: number;
  headers: Headers;
  /** The JSON body of a refusal (status other than 200), else null. */
  refusal: any;
  /** Every event received so far. */
  events: SseMessage[];
  /** The first event (received already or to come) that `match` accepts; rejects if the stream ends or timeoutMs passes first. */
  next(match: (message: SseMessage) => boolean, timeoutMs?: number): Promise<SseMessage>;
  /** Resolves when the server ended the stream (or it broke). */
  ended: Promise<void>;
  /** Drops the connection (the client going away). */
  close(): void;
}

export interface EventStreamOptions {
  /** Sent as Authorization: Bearer. */
  token?: string;
  headers?: Record<string, string>;
  /** The gateway's address (default GATEWAY_URL). */
  baseUrl?: string;
}

export async function openEventStream(path: string, options: EventStreamOptions = {}): Promise<EventStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${options.baseUrl ?? gatewayUrl()}${path}`, { headers, signal: abort.signal });
  const events: SseMessage[] = [];
  const waiters = new Set<{ match: (message: SseMessage) => boolean; resolve: (message: SseMessage) => void; reject: (error: Error) => void }>();
  if (response.status !== 200) {
    const text = await response.text();
    let refusal: unknown = text;
    try {
      refusal = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: response.status, headers: response.headers, refusal, events, next: () => Promise.reject(new Error(`no stream: ${response.status}`)), ended: Promise.resolve(), close: () => abort.abort() };
  }
  let finished = false;
  const ended = (async () => {
    const parser = new EventStreamParser();
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        for (const message of parser.push(decoder.decode(chunk, { stream: true })) as SseMessage[]) {
          events.push(message);
          for (const waiter of [...waiters]) {
            if (!waiter.match(message)) continue;
            waiters.delete(waiter);
            waiter.resolve(message);
          }
        }
      }
    } catch {
      // Aborted by close(), or the connection broke: the stream is over either way.
    } finally {
      finished = true;
      for (const waiter of waiters) waiter.reject(new Error(`the stream ended before the awaited event (${events.length} events received)`));
      waiters.clear();
    }
  })();
  return {
    status: response.status,
    headers: response.headers,
    refusal: null,
    events,
    next(match, timeoutMs = 20_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      if (finished) return Promise.reject(new Error('the stream has ended'));
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (message: SseMessage) => (clearTimeout(timer), resolve(message)),
          reject: (error: Error) => (clearTimeout(timer), reject(error)),
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching event within ${timeoutMs} ms (${events.length} events received)`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    ended,
    close: () => abort.abort(),
  };
}
