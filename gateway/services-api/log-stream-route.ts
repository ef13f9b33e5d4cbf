// GET /api/v1/services/{name}/logs/stream (admin): a service's output as
// Server-Sent Events. First the last `lines` entries (validated as /logs does),
// then every line as the supervisor captures it, each one `data:` event of the
// same entry shape as /logs, with the line's id as the event id. A client that
// reconnects with Last-Event-ID (an EventSource does by itself) gets instead every
// kept line after that id, after a `gap` event when some may be missing. The stream stays
// open while the service stops, restarts or fails (its next process's lines come
// on the same stream) and ends with an `end` event when the gateway shuts down.
// Served by whichever worker takes the connection; each worker caps its open
// streams (LOG_STREAMS_MAX, 503 + Retry-After beyond it).
import type { ServerResponse } from 'node:http';
import type { GatewayLifecycle } from '../http/lifecycle.ts';
import { SSE_HEADERS, encodeSseEvent, encodeSseRetry } from '../http/sse.ts';
import { SseStream } from '../http/sse-stream.ts';
import type { LocalResponse, LocalRoute, RequestContext } from '../pipeline/context.ts';
import { errors } from '../pipeline/errors.ts';
import type { LogRecord } from '../supervisor/line-buffer.ts';
import type { LogSource } from './log-feed.ts';
import { parseLines } from './routes.ts';

export const LOG_STREAM_PATH = '/api/v1/services/:name/logs/stream';

export const LOG_STREAM_DEFAULTS = {
  /** A comment this often keeps proxies from cutting a quiet stream (many close idle connections at 30–60 s). */
  heartbeatMs: 15_000,
  /** What may wait for one slow client before its oldest lines are dropped (a `skipped` event says how many). */
  maxQueuedBytes: 256 * 1024,
  /** The reconnection delay suggested to EventSource clients. */
  retryMs: 3_000,
} as const;

const END_EVENT = (reason = 'the gateway is shutting down') => encodeSseEvent({ type: 'end', data: { reason } });
/** Before a resumed stream's lines when some after the client's last id may be missing (see LogSnapshot.gap). */
const GAP_EVENT = (after: number) => encodeSseEvent({ type: 'gap', data: { after } });
/** Our line ids are safe integers (line-buffer.ts); the header carries one back. */
const LINE_ID = /^\d{1,16}$/;

/** The Last-Event-ID header: the id of the last line the client got; undefined when absent (or empty, which no EventSource sends); a string saying why when malformed. */
export function parseLastEventId(raw: string | string[] | undefined): number | undefined | string {
  if (raw === undefined || raw === '') return undefined;
  const id = typeof raw === 'string' && LINE_ID.test(raw) ? Number(raw) : Number.NaN;
  return Number.isSafeInteger(id) ? id : 'Last-Event-ID must be the id of a line a log stream sent (a whole number)';
}

export interface LogStreamRouteOptions {
  source: LogSource;
  lifecycle: Pick<GatewayLifecycle, 'draining' | 'on'>;
  /** Open streams this process serves at most (LOG_STREAMS_MAX). */
  maxStreams: number;
  heartbeatMs?: number;
  maxQueuedBytes?: number;
}

export interface LogStreamRoute extends LocalRoute {
  /** Streams open now (tests, logs). */
  open(): number;
}

export function createLogStreamRoute(options: LogStreamRouteOptions): LogStreamRoute {
  if (!Number.isInteger(options.maxStreams) || options.maxStreams < 0) throw new Error(`maxStreams must be a non-negative integer, got ${options.maxStreams}`);
  const heartbeatMs = options.heartbeatMs ?? LOG_STREAM_DEFAULTS.heartbeatMs;
  const maxQueuedBytes = options.maxQueuedBytes ?? LOG_STREAM_DEFAULTS.maxQueuedBytes;
  const streams = new Set<SseStream>();
  /** Streams being set up (waiting for their backlog): they count against the cap too. */
  let opening = 0;

  // Shutdown: every stream ends now, so the drain does not wait out its grace on them.
  options.lifecycle.on('drain', () => {
    for (const stream of streams) stream.end(END_EVENT());
  });

  async function handle(ctx: RequestContext, params: Record<string, string>): Promise<LocalResponse> {
    const name = params.name ?? '';
    const lines = parseLines(new URLSearchParams(ctx.query).get('lines'));
    if (typeof lines === 'string') throw errors.invalidQuery(lines);
    const afterId = parseLastEventId(ctx.req.headers['last-event-id']);
    if (typeof afterId === 'string') throw errors.invalidHeader(afterId);
    if (options.lifecycle.draining) throw errors.shuttingDown();
    if (streams.size + opening >= options.maxStreams) throw errors.logStreamsBusy(options.maxStreams);

    // Lines that arrive before the response is handed over wait here (a few at most).
    let sink: ((records: LogRecord[]) => void) | null = null;
    const early: LogRecord[] = [];
    opening++;
    let subscription;
    try {
      subscription = await options.source.follow(name, { lines, afterId }, (records) => (sink ? sink(records) : early.push(...records)));
    } finally {
      opening--;
    }
    const { backlog, gap, close } = subscription;
    let piped: SseStream | null = null;
    return {
      status: 200,
      headers: { ...SSE_HEADERS },
      body: null,
      stream: {
        cancel: close,
        end: (reason) => piped?.end(END_EVENT(reason)),
        pipe(res: ServerResponse) {
          const stream = new SseStream(res, {
            heartbeatMs,
            maxQueuedBytes,
            onClose: () => {
              streams.delete(stream);
              close();
            },
          });
          // A response already gone is released by the stream itself (its onClose).
          streams.add(stream);
          piped = stream;
          // The backlog (at most a service's kept lines) in one write, whatever the socket's state.
          const gapEvent = gap && afterId !== undefined ? GAP_EVENT(afterId) : '';
          stream.sendNow(encodeSseRetry(LOG_STREAM_DEFAULTS.retryMs) + gapEvent + [...backlog, ...early].map(encodeRecord).join(''));
          sink = (records) => {
            for (const record of records) stream.send(encodeRecord(record));
          };
          // A shutdown that began while this stream was being set up: it ends like the others.
          if (options.lifecycle.draining) stream.end(END_EVENT());
        },
      },
    };
  }

  return { method: 'GET', path: LOG_STREAM_PATH, auth: 'admin', handle, open: () => streams.size };
}

/** One entry as one event: the entry exactly as /logs gives it, its line's id as the event id. */
export function encodeRecord(record: LogRecord): string {
  return encodeSseEvent({ id: record.id, data: record.entry });
}
