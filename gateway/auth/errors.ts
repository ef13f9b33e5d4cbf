// The edge auth's errors: entries of the one gateway catalogue (pipeline/errors.ts)
// with the RFC 6750 challenge each carries. The reason and cause stay server-side
// (message, cause); a client sees only the catalogue's detail.
import { CATALOGUE, GatewayError } from '../pipeline/errors.ts';

export type AuthErrorCode = 'INVALID_TOKEN' | 'INVALID_API_KEY' | 'INVALID_CREDENTIALS' | 'AMBIGUOUS_CREDENTIALS' | 'UNSUPPORTED_SCHEME' | 'AUTH_UPSTREAM_UNAVAILABLE';

export const AUTH_ERROR_CODES: readonly AuthErrorCode[] = ['INVALID_TOKEN', 'INVALID_API_KEY', 'INVALID_CREDENTIALS', 'AMBIGUOUS_CREDENTIALS', 'UNSUPPORTED_SCHEME', 'AUTH_UPSTREAM_UNAVAILABLE'];

export class AuthError extends GatewayError {
  declare readonly code: AuthErrorCode;
  declare readonly status: 400 | 401 | 503;
  declare readonly detail: string;

  constructor(code: AuthErrorCode, options: { cause?: unknown; reason?: string } = {}) {
    const entry = CATALOGUE[code];
    const headers: Record<string, string> = { ...('headers' in entry ? entry.headers : {}) };
    super(code, entry.status, entry.detail, { cause: options.cause, headers });
    this.name = 'AuthError';
    if (options.reason) this.message = `${entry.detail}: ${options.reason}`;
  }
}

/** RFC 6750 §3: the challenge a 401/400 from a bearer-protected resource carries. */
export function bearerChallenge(code: AuthErrorCode | null): string {
  if (code === null) return 'Bearer';
  const entry = CATALOGUE[code];
  return 'headers' in entry && 'www-authenticate' in entry.headers ? entry.headers['www-authenticate'] : 'Bearer';
}
