// Revocation events: which cached credentials the gateway must stop trusting now.
// The orm names them on the answer that changed them ("x-auth-invalidate:
// api_key=12" — see upstreams/orm/internal/auth-invalidation.ts); the proxy takes
// the header off that answer before the client sees it, applies it to this
// gateway's caches before relaying the answer (so the client's very next request
// is checked afresh), and the revocation bus carries it to the replicas.

export const AUTH_INVALIDATE_HEADER = 'x-auth-invalidate';

export interface Invalidation {
  kind: 'user' | 'api_key';
  id: number;
}

/** More than this in one header is not an answer the orm writes: the rest is ignored. */
const MAX_ITEMS = 32;
const ITEM = /^(user|api_key)=([1-9]\d{0,9})$/;

/** Reads a header value (or several); malformed items are skipped, never thrown on. */
export function parseInvalidations(value: string | string[] | undefined): Invalidation[] {
  if (value === undefined) return [];
  const items: Invalidation[] = [];
  for (const part of [value].flat().join(',').split(',')) {
    const match = ITEM.exec(part.trim());
    if (!match) continue;
    const id = Number(match[2]);
    if (!Number.isSafeInteger(id)) continue;
    items.push({ kind: match[1] as Invalidation['kind'], id });
    if (items.length === MAX_ITEMS) break;
  }
  return items;
}

export function formatInvalidations(items: readonly Invalidation[]): string {
  return items.map((item) => `${item.kind}=${item.id}`).join(', ');
}
