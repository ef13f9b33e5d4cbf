// A typed request/reply + one-way event channel over a Node IPC channel (a
// cluster worker's `process`, or the primary's handle of one worker). Every
// request gets a reply or rejects: on the peer's error, after its timeout, or
// when the channel closes; nothing it does can become an unhandled rejection or
// an uncaught 'error'. The primary holds one IpcPeer per worker, each worker one
// for the primary (gateway/cluster/protocol.ts lists what travels).
//
// Messages travel with the channel's 'advanced' serialization (structured clone:
// Maps in a GatewayConfig survive), set where the workers are forked.

/** What an IPC endpoint must offer: node:cluster's Worker and a worker's `process` both do. */
export interface IpcEndpoint {
  send(message: unknown, callback?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
}

/** A request map: kind → { body, reply }; an event map: kind → body. */
export type RequestMap = Record<string, { body: unknown; reply: unknown }>;
export type EventMap = Record<string, unknown>;
/** One side of a conversation: the requests it answers and the events it listens to. */
export interface Side {
  requests: RequestMap;
  events: EventMap;
}

type Envelope =
  | { fullon: 'req'; id: number; kind: string; body: unknown }
  | { fullon: 'res'; id: number; ok: true; body: unknown }
  | { fullon: 'res'; id: number; ok: false; error: RemoteErrorData }
  | { fullon: 'evt'; kind: string; body: unknown };

/** An error as it crosses the channel: enough to rebuild a catalogue error on the other side. */
export interface RemoteErrorData {
  message: string;
  code?: string;
  status?: number;
  detail?: unknown;
  headers?: Record<string, string>;
}

/** The peer answered with an error (its data in `remote`), or the channel failed (`code`). */
export class IpcError extends Error {
  readonly code: 'IPC_REMOTE' | 'IPC_TIMEOUT' | 'IPC_CLOSED' | 'IPC_SEND_FAILED' | 'IPC_NO_HANDLER';
  readonly remote: RemoteErrorData | null;
  constructor(code: IpcError['code'], message: string, remote: RemoteErrorData | null = null) {
    super(message);
    this.name = 'IpcError';
    this.code = code;
    this.remote = remote;
  }
}

export interface IpcPeerOptions {
  /** Default timeout of a request; a request may pass its own. */
  timeoutMs: number;
  /** How a handler's thrown error is described to the peer (default: message, code, status, detail, headers). */
  describeError?: (error: unknown) => RemoteErrorData;
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (error: IpcError) => void;
  timer: NodeJS.Timeout;
}

/** Mine: what this side answers and hears; Theirs: what the peer answers and hears. */
export class IpcPeer<Mine extends Side, Theirs extends Side> {
  readonly #endpoint: IpcEndpoint;
  readonly #options: IpcPeerOptions;
  readonly #pending = new Map<number, Pending>();
  readonly #handlers = new Map<string, (body: never) => unknown>();
  readonly #listeners = new Map<string, Array<(body: never) => void>>();
  readonly #onMessage = (message: unknown) => this.#receive(message);
  #nextId = 1;
  #closed = false;

  constructor(endpoint: IpcEndpoint, options: IpcPeerOptions) {
    this.#endpoint = endpoint;
    this.#options = options;
    endpoint.on('message', this.#onMessage);
  }

  /** Asks the peer; resolves its handler's reply, rejects with an IpcError. */
  request<K extends keyof Theirs['requests'] & string>(kind: K, body: Theirs['requests'][K]['body'], timeoutMs = this.#options.timeoutMs): Promise<Theirs['requests'][K]['reply']> {
    if (this.#closed) return Promise.reject(new IpcError('IPC_CLOSED', `${kind}: the channel is closed`));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#settle(id, new IpcError('IPC_TIMEOUT', `${kind}: no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
      this.#pending.set(id, { resolve: resolve as (body: unknown) => void, reject, timer });
      this.#send({ fullon: 'req', id, kind, body }, (error) => this.#settle(id, new IpcError('IPC_SEND_FAILED', `${kind}: ${error.message}`)));
    });
  }

  /** One-way: no reply, and a closed channel is not an error (the peer is gone). */
  notify<K extends keyof Theirs['events'] & string>(kind: K, body: Theirs['events'][K]): void {
    if (this.#closed) return;
    this.#send({ fullon: 'evt', kind, body }, () => {});
  }

  /** The one handler of requests of this kind; its value (or promise) is the reply, its throw the error. */
  handle<K extends keyof Mine['requests'] & string>(kind: K, handler: (body: Mine['requests'][K]['body']) => Mine['requests'][K]['reply'] | Promise<Mine['requests'][K]['reply']>): this {
    this.#handlers.set(kind, handler as (body: never) => unknown);
    return this;
  }

  on<K extends keyof Mine['events'] & string>(kind: K, listener: (body: Mine['events'][K]) => void): this {
    const list = this.#listeners.get(kind) ?? [];
    list.push(listener as (body: never) => void);
    this.#listeners.set(kind, list);
    return this;
  }

  /** Requests waiting for a reply. */
  pending(): number {
    return this.#pending.size;
  }

  /** Stops listening; every waiting request rejects with IPC_CLOSED. */
  close(reason = 'the channel closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#endpoint.off('message', this.#onMessage);
    for (const id of [...this.#pending.keys()]) this.#settle(id, new IpcError('IPC_CLOSED', reason));
  }

  #send(envelope: Envelope, onError: (error: Error) => void): void {
    try {
      this.#endpoint.send(envelope, (error) => {
        if (error) onError(error);
      });
    } catch (error) {
      // A disconnected channel throws synchronously on some paths (ERR_IPC_CHANNEL_CLOSED).
      onError(error as Error);
    }
  }

  #settle(id: number, outcome: IpcError | { body: unknown }): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome instanceof IpcError) pending.reject(outcome);
    else pending.resolve(outcome.body);
  }

  #receive(message: unknown): void {
    if (!isEnvelope(message)) return;
    switch (message.fullon) {
      case 'res':
        if (message.ok) this.#settle(message.id, { body: message.body });
        else this.#settle(message.id, new IpcError('IPC_REMOTE', message.error.message, message.error));
        return;
      case 'evt':
        for (const listener of this.#listeners.get(message.kind) ?? []) {
          try {
            listener(message.body as never);
          } catch {
            // A listener's bug must not stop the others nor the channel.
          }
        }
        return;
      case 'req':
        void this.#answer(message.id, message.kind, message.body);
        return;
    }
  }

  async #answer(id: number, kind: string, body: unknown): Promise<void> {
    const handler = this.#handlers.get(kind);
    let reply: Envelope;
    if (!handler) reply = { fullon: 'res', id, ok: false, error: { message: `no handler for ${kind}`, code: 'IPC_NO_HANDLER' } };
    else {
      try {
        reply = { fullon: 'res', id, ok: true, body: await handler(body as never) };
      } catch (error) {
        reply = { fullon: 'res', id, ok: false, error: (this.#options.describeError ?? describeError)(error) };
      }
    }
    if (!this.#closed) this.#send(reply, () => {});
  }
}

function isEnvelope(message: unknown): message is Envelope {
  return typeof message === 'object' && message !== null && ((message as { fullon?: unknown }).fullon === 'req' || (message as { fullon?: unknown }).fullon === 'res' || (message as { fullon?: unknown }).fullon === 'evt');
}

/** The fields of a catalogue error (GatewayError) and any Error's message; never a stack. */
export function describeError(error: unknown): RemoteErrorData {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as Error & { code?: unknown; status?: unknown; detail?: unknown; headers?: unknown };
  return {
    message: error.message,
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(typeof fields.status === 'number' ? { status: fields.status } : {}),
    ...(fields.detail !== undefined ? { detail: fields.detail } : {}),
    ...(fields.headers && typeof fields.headers === 'object' ? { headers: fields.headers as Record<string, string> } : {}),
  };
}
