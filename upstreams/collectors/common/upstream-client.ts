// Calls from a collector to the orm_api, cache_api and ohlcv_api upstreams under
// the collector's OWN service identity (common/service-assertion.ts, aud = the
// upstream's name); each callee grants it only the routes it needs
// (common/service-grants.ts). Collectors write only
// through the upstreams' own endpoints, so the cache layout, the ohlcv upsert and
// the live candle stream stay in one place each.
import { Agent, request } from 'undici';
import { ASSERTION_HEADER } from '../../common/assertion.ts';
import { outgoingTraceparent } from './cycle-trace.ts';

export type UpstreamName = 'orm_api' | 'cache_api' | 'ohlcv_api';

/** The upstream answered something else than 2xx, or could not be reached. */
export class UpstreamCallError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.name = 'UpstreamCallError';
    this.status = status;
  }
}

/** What signs this collector's calls (a ServiceAssertionSigner); null: it has no identity and every call is refused. */
export interface CallSigner {
  sign(audience: string): Promise<string>;
}

export class UpstreamClient {
  readonly #urls: Record<UpstreamName, string | null>;
  readonly #signer: CallSigner | null;
  readonly #agent = new Agent({ connections: 32, keepAliveTimeout: 10_000, pipelining: 1 });
  readonly #timeoutMs: number;

  constructor(options: { urls: Record<UpstreamName, string | null>; signer: CallSigner | null; timeoutMs?: number }) {
    this.#urls = options.urls;
    this.#signer = options.signer;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  get<T>(upstream: UpstreamName, path: string): Promise<T> {
    return this.#call<T>(upstream, 'GET', path, undefined);
  }

  post<T>(upstream: UpstreamName, path: string, body: unknown): Promise<T> {
    return this.#call<T>(upstream, 'POST', path, body);
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  async #call<T>(upstream: UpstreamName, method: 'GET' | 'POST', path: string, body: unknown): Promise<T> {
    const base = this.#urls[upstream];
    if (!base) throw new UpstreamCallError(`${upstream} is not known (UPSTREAM_${upstream.toUpperCase()}_URL is not set)`, null);
    if (!this.#signer) throw new UpstreamCallError(`no service identity to call ${upstream} with (SERVICE_ASSERTION_PRIVATE_KEY is not set)`, null);
    const headers: Record<string, string> = { [ASSERTION_HEADER]: await this.#signer.sign(upstream), accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const traceparent = outgoingTraceparent();
    if (traceparent) headers.traceparent = traceparent;
    let response;
    try {
      response = await request(new URL(path, base), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: this.#agent,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (error) {
      throw new UpstreamCallError(`${upstream} unreachable: ${(error as Error).message}`, null);
    }
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode >= 300) {
      throw new UpstreamCallError(`${upstream} ${method} ${path.split('?', 1)[0]} answered ${response.statusCode}: ${text.slice(0, 200)}`, response.statusCode);
    }
    return (text ? JSON.parse(text) : null) as T;
  }
}

/** A symbol in a path segment: encoded, "/" included, as the upstreams read it. */
export function pathSymbol(symbol: string): string {
  return encodeURIComponent(symbol);
}
