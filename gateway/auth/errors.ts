// The edge auth's error catalogue: one class, stable codes, the HTTP status each
// maps to, and the {"detail"} text a client sees. Causes stay server-side.

export type AuthErrorCode =
  | 'INVALID_TOKEN'
  | 'INVALID_API_KEY'
  | 'INVALID_CREDENTIALS'
  | 'AMBIGUOUS_CREDENTIALS'
  | 'UNSUPPORTED_SCHEME'
  | 'AUTH_UPSTREAM_UNAVAILABLE';

const CATALOGUE: Record<AuthErrorCode, { status: 400 | 401 | 503; detail: string }> = {
  INVALID_TOKEN: { status: 401, detail: 'Invalid or expired token' },
  INVALID_API_KEY: { status: 401, detail: 'Invalid API key' },
  INVALID_CREDENTIALS: { status: 401, detail: 'Invalid credentials' },
  AMBIGUOUS_CREDENTIALS: { status: 400, detail: 'Conflicting credentials in request' },
  UNSUPPORTED_SCHEME: { status: 401, detail: 'Unsupported authorization scheme' },
  AUTH_UPSTREAM_UNAVAILABLE: { status: 503, detail: 'Authentication service unavailable' },
};

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  readonly status: 400 | 401 | 503;
  readonly detail: string;

  constructor(code: AuthErrorCode, options: { cause?: unknown; reason?: string } = {}) {
    const entry = CATALOGUE[code];
    super(options.reason ? `${entry.detail}: ${options.reason}` : entry.detail, { cause: options.cause });
    this.name = 'AuthError';
    this.code = code;
    this.status = entry.status;
    this.detail = entry.detail;
  }
}

export function authErrorCatalogue(): Readonly<typeof CATALOGUE> {
  return CATALOGUE;
}

/** RFC 6750 §3: 401s from a bearer-protected resource carry this header. */
export function bearerChallenge(code: AuthErrorCode | null): string {
  if (code === 'INVALID_TOKEN') return 'Bearer error="invalid_token"';
  if (code === 'AMBIGUOUS_CREDENTIALS') return 'Bearer error="invalid_request"';
  return 'Bearer';
}
