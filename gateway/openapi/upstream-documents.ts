// Reads each upstream's own OpenAPI document (upstreams/common/openapi.ts) as the
// gateway's service identity, keeps it for a while (an upstream's routes change
// only when it is redeployed), and never lets one unreachable upstream break the
// whole document: it is reported as unavailable and asked again next time.
import { GATEWAY_SERVICE_IDENTITY, type AssertionSigner } from '../auth/assertion-signer.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import type { OpenApiDocument } from './merge.ts';

/** Same path as upstreams/common/openapi.ts OPENAPI_PATH (the two never import each other). */
export const UPSTREAM_OPENAPI_PATH = '/openapi.json';

export const UPSTREAM_DOCUMENTS_DEFAULTS = {
  ttlMs: 60_000,
  timeoutMs: 3_000,
  /** A document larger than this is refused (an upstream is trusted, not unbounded). */
  maxBytes: 8 * 1024 * 1024,
} as const;

export interface UpstreamDocumentsOptions {
  registry: UpstreamRegistry;
  signer: Pick<AssertionSigner, 'sign'>;
  ttlMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

export class UpstreamDocuments {
  readonly #options: UpstreamDocumentsOptions;
  readonly #now: () => number;
  readonly #cache = new Map<string, { doc: OpenApiDocument; until: number }>();
  readonly #inflight = new Map<string, Promise<OpenApiDocument | null>>();

  constructor(options: UpstreamDocumentsOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async read(names: Iterable<string>): Promise<{ docs: Map<string, OpenApiDocument>; unavailable: string[] }> {
    const unique = [...new Set(names)];
    const results = await Promise.all(unique.map((name) => this.#readOne(name)));
    const docs = new Map<string, OpenApiDocument>();
    const unavailable: string[] = [];
    unique.forEach((name, i) => (results[i] ? docs.set(name, results[i]) : unavailable.push(name)));
    return { docs, unavailable };
  }

  #readOne(name: string): Promise<OpenApiDocument | null> {
    const cached = this.#cache.get(name);
    if (cached && cached.until > this.#now()) return Promise.resolve(cached.doc);
    let pending = this.#inflight.get(name);
    if (!pending) {
      pending = this.#fetch(name).finally(() => this.#inflight.delete(name));
      this.#inflight.set(name, pending);
    }
    return pending;
  }

  async #fetch(name: string): Promise<OpenApiDocument | null> {
    const state = this.#options.registry.get(name);
    if (!state?.target || state.availability === 'down') return null;
    try {
      const assertion = await this.#options.signer.sign(GATEWAY_SERVICE_IDENTITY, name);
      const response = await fetch(new URL(UPSTREAM_OPENAPI_PATH, state.target), {
        headers: { accept: 'application/json', 'x-gateway-assertion': assertion },
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? UPSTREAM_DOCUMENTS_DEFAULTS.timeoutMs),
        redirect: 'error',
      });
      const text = await response.text();
      if (response.status !== 200 || text.length > UPSTREAM_DOCUMENTS_DEFAULTS.maxBytes) return null;
      const doc = JSON.parse(text) as OpenApiDocument;
      if (typeof doc !== 'object' || doc === null || typeof doc.paths !== 'object') return null;
      this.#cache.set(name, { doc, until: this.#now() + (this.#options.ttlMs ?? UPSTREAM_DOCUMENTS_DEFAULTS.ttlMs) });
      return doc;
    } catch {
      return null;
    }
  }
}
