// Which scopes an API key may carry, in fullon_orm's format: a comma string
// ("read,write") or an array. Unknown scopes are refused so a typo never mints a
// key that silently lacks what its owner meant. Write scopes for the ohlcv and
// cache upstreams let a key push data, which a regular user's login cannot; only
// an admin may mint keys that hold them, so a key never exceeds its owner.
import { z } from 'zod';
import { commaList } from '../../common/validate.ts';

export const KNOWN_SCOPES = ['read', 'write', 'admin', 'orm:read', 'orm:write', 'ohlcv:read', 'ohlcv:write', 'cache:read', 'cache:write', 'metrics:read'] as const;

export const PRIVILEGED_SCOPES: ReadonlySet<string> = new Set(['admin', 'ohlcv:write', 'cache:write', 'metrics:read']);

export const scopesSchema = commaList(z.enum(KNOWN_SCOPES), { max: KNOWN_SCOPES.length });

export function privilegedScopesIn(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => PRIVILEGED_SCOPES.has(scope));
}

/** The scopes a caller of this role may put on a key: everything for an admin, the unprivileged ones for a user. */
export function grantableScopes(role: 'admin' | 'user'): string[] {
  return KNOWN_SCOPES.filter((scope) => role === 'admin' || !PRIVILEGED_SCOPES.has(scope));
}

/**
 * What a stored key may actually carry when it is used: only allowlisted scopes
 * (a row written before the allowlist, or by hand, cannot smuggle "cache:*"), and
 * "admin" only while its owner is an admin, so a key never exceeds its owner.
 */
export function effectiveScopes(stored: readonly string[] | null | undefined, ownerRole: 'admin' | 'user'): string[] {
  const known: ReadonlySet<string> = new Set(KNOWN_SCOPES);
  return [...new Set(stored ?? [])].filter((scope) => known.has(scope) && (scope !== 'admin' || ownerRole === 'admin'));
}
