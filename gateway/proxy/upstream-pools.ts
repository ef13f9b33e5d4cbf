// Keep-alive connections to each upstream for gateway→upstream HTTP: one undici
// Client per connection (llhttp and a request writer that cost less CPU per
// request than node:http's ClientRequest + Agent; docs/benchmarks.md), lent to
// one request at a time, idle ones reused last-in first-out like node:http's
// Agent with scheduling "lifo".
//
// Why not undici's Pool: a cancelled request (deadline, client gone) must take
// its connection down with it, and undici's Pool then opens a fresh connection
// for the request it already dropped, which then idles unused
// (nodejs/undici#5845, fix pending in #5846); a Pool also cannot close the one
// connection a request ran on. Here the exchange that ran on a connection
// decides: returned for reuse, or destroyed with the error that ended it.
// WebSockets do not use these connections (http-proxy-3 opens theirs).
import { Client } from 'undici';

export const POOL_DEFAULTS = {
  /** Idle connections close after this when the upstream sent no Keep-Alive hint (node:http's Agent used 15 s too). */
  keepAliveTimeoutMs: 15_000,
};

/** Open connections, in the shape node:http's Agent reports them (sockets = lent out, freeSockets = idle), keyed by origin. */
export interface SocketCounts {
  readonly sockets: Record<string, unknown[]>;
  readonly freeSockets: Record<string, unknown[]>;
}

/** The connections to one upstream address. */
export class UpstreamConnections {
  readonly origin: string;
  readonly connectTimeoutMs: number;
  /** Connected and free, most recently used last. */
  readonly #idle: Client[] = [];
  #lent = 0;
  #closed = false;

  constructor(origin: string, connectTimeoutMs: number) {
    this.origin = origin;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  /** A connection for one request: the most recently freed idle one, or a new one. */
  acquire(): Client {
    this.#lent++;
    const client = this.#idle.pop();
    if (client !== undefined) return client;
    const created = new Client(this.origin, {
      pipelining: 1,
      keepAliveTimeout: POOL_DEFAULTS.keepAliveTimeoutMs,
      connectTimeout: this.connectTimeoutMs,
      // The engine runs the route deadline itself (504 with the catalogue code);
      // after the headers a body may stream for as long as it streams.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    // An idle connection the upstream (or its keep-alive timeout) closed is not kept around.
    created.on('disconnect', () => this.#forget(created));
    return created;
  }

  /** Back from a request: kept for the next one when it ended cleanly, else destroyed (with the request's error). */
  release(client: Client, error: Error | null): void {
    this.#lent--;
    if (error === null && !this.#closed && !client.closed && !client.destroyed) this.#idle.push(client);
    else void client.destroy(error).catch(() => {});
  }

  get lent(): number {
    return this.#lent;
  }

  get idle(): number {
    return this.#idle.length;
  }

  /** Idle connections close now; lent ones when their request is done (release). */
  close(): void {
    this.#closed = true;
    for (const client of this.#idle.splice(0)) void client.destroy().catch(() => {});
  }

  #forget(client: Client): void {
    const index = this.#idle.indexOf(client);
    if (index === -1) return;
    this.#idle.splice(index, 1);
    void client.destroy().catch(() => {});
  }
}

/** One UpstreamConnections per upstream name; a new address or connect timeout replaces it. */
export class UpstreamPools implements SocketCounts {
  readonly #entries = new Map<string, UpstreamConnections>();

  get(upstream: string, target: URL, connectTimeoutMs: number): UpstreamConnections {
    const entry = this.#entries.get(upstream);
    if (entry !== undefined && entry.origin === target.origin && entry.connectTimeoutMs === connectTimeoutMs) return entry;
    // Requests running on the old address finish there; its idle connections close.
    entry?.close();
    const created = new UpstreamConnections(target.origin, connectTimeoutMs);
    this.#entries.set(upstream, created);
    return created;
  }

  get sockets(): Record<string, unknown[]> {
    return this.#count((entry) => entry.lent);
  }

  get freeSockets(): Record<string, unknown[]> {
    return this.#count((entry) => entry.idle);
  }

  /** Closes every idle connection now (gateway shutdown, after the drain); lent ones close as their requests end. */
  destroy(): void {
    for (const entry of this.#entries.values()) entry.close();
    this.#entries.clear();
  }

  #count(pick: (entry: UpstreamConnections) => number): Record<string, unknown[]> {
    const out: Record<string, unknown[]> = {};
    for (const entry of this.#entries.values()) out[entry.origin] = new Array<unknown>(pick(entry));
    return out;
  }
}
