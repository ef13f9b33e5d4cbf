// Which scopes an API key may carry. Write scopes for the ohlcv and cache
// upstreams let a key push data, which a regular user's login cannot; only an
// admin may mint keys that hold them, so a key never exceeds its owner.
import { z } from 'zod';

export const PRIVILEGED_SCOPES: ReadonlySet<string> = new Set(['ohlcv:write', 'cache:write']);

export const scopesSchema = z
  .array(z.string().max(64).regex(/^[a-z][a-z0-9_]*(:[a-z0-9_*]+)?$/, 'scope must look like "name" or "service:action"'))
  .max(32)
  .transform((scopes) => [...new Set(scopes)]);

export function privilegedScopesIn(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => PRIVILEGED_SCOPES.has(scope));
}
