// Which scopes an API key may carry, in fullon_orm's format: a comma string
// ("read,write") or an array. Unknown scopes are refused so a typo never mints a
// key that silently lacks what its owner meant. Write scopes for the ohlcv and
// cache upstreams let a key push data, which a regular user's login cannot; only
// an admin may mint keys that hold them, so a key never exceeds its owner.
import { z } from 'zod';
import { commaList } from '../../common/validate.ts';

export const KNOWN_SCOPES = ['read', 'write', 'admin', 'orm:read', 'orm:write', 'ohlcv:read', 'ohlcv:write', 'cache:read', 'cache:write'] as const;

export const PRIVILEGED_SCOPES: ReadonlySet<string> = new Set(['admin', 'ohlcv:write', 'cache:write']);

export const scopesSchema = commaList(z.enum(KNOWN_SCOPES), { max: KNOWN_SCOPES.length });

export function privilegedScopesIn(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => PRIVILEGED_SCOPES.has(scope));
}
