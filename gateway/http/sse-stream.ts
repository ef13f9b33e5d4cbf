// One Server-Sent Events response that outlives the handler that opened it.
// Events go straight to the socket while the client keeps up; once a write is
// refused (the socket's buffer is full) they wait in a DroppingQueue bounded by
// bytes, and when the client catches up, whatever the queue had to drop is
// announced first, as one `skipped` event (data {"skipped": N}), before the rest.
// A slow client therefore costs at most the queue's bytes, never more. Heartbeat
// comments keep idle proxies and load balancers from cutting a quiet stream.
import type { Writable } from 'node:stream';
import { DroppingQueue } from './dropping-queue.ts';
import { encodeSseComment, encodeSseEvent } from './sse.ts';

export interface SseStreamOptions {
  /** A comment line this often while nothing is backed up. */
  heartbeatMs: number;
  /** What may wait for a slow client before the oldest events are dropped. */
  maxQueuedBytes: number;
  /** The response closed, whichever way (client gone, end(), socket error): release what feeds it. */
  onClose: () => void;
}

/** What the stream needs of a response: node:http's ServerResponse, an HTTP/2 compatibility response, a test Writable. */
export type SseTarget = Pick<Writable, 'write' | 'end' | 'once' | 'on' | 'off' | 'destroyed' | 'writableEnded'>;

export class SseStream {
  readonly #target: SseTarget;
  readonly #queue: DroppingQueue;
  readonly #onClose: () => void;
  readonly #heartbeat: NodeJS.Timeout;
  /** A write was refused: events queue until 'drain'. */
  #backedUp = false;
  #closed = false;
  readonly #onDrain = () => this.#flush();

  constructor(target: SseTarget, options: SseStreamOptions) {
    this.#target = target;
    this.#queue = new DroppingQueue(options.maxQueuedBytes);
    this.#onClose = options.onClose;
    this.#heartbeat = setInterval(() => {
      if (!this.#backedUp) this.#write(encodeSseComment('heartbeat'));
    }, options.heartbeatMs);
    this.#heartbeat.unref();
    target.on('drain', this.#onDrain);
    target.once('close', () => this.#release());
    // A response already gone (the client left while the stream was being set up).
    if (target.destroyed || target.writableEnded) queueMicrotask(() => this.#release());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Written whatever the socket's state (the start of a stream: its backlog,
   * bounded by the caller); later events go through send().
   */
  sendNow(text: string): void {
    if (this.#closed) return;
    this.#write(text);
  }

  /** One encoded event: written now, queued behind a full socket, or (queue full) dropped and counted. */
  send(text: string): void {
    if (this.#closed) return;
    if (this.#backedUp) this.#queue.push(text);
    else this.#write(text);
  }

  /** Ends the stream with a last event (e.g. `end`): what waits in the queue is not sent. */
  end(lastEvent?: string): void {
    if (this.#closed || this.#target.writableEnded) return;
    this.#queue.clear();
    if (lastEvent) this.#target.end(lastEvent);
    else this.#target.end();
  }

  #write(text: string): void {
    if (this.#target.destroyed || this.#target.writableEnded) return;
    if (!this.#target.write(text)) this.#backedUp = true;
  }

  /** The client caught up: the gap first, then the queue, until a write is refused again. */
  #flush(): void {
    this.#backedUp = false;
    const dropped = this.#queue.takeDropped();
    if (dropped > 0) this.#write(encodeSseEvent({ type: 'skipped', data: { skipped: dropped } }));
    while (!this.#backedUp) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      this.#write(next);
    }
  }

  #release(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    this.#queue.clear();
    this.#target.off('drain', this.#onDrain);
    this.#onClose();
  }
}
