import { describe, expect, it } from 'vitest';
import { AuthError, authErrorCatalogue, bearerChallenge } from '../../../../gateway/auth/errors.ts';

describe('auth error catalogue', () => {
  it('pins every code, status and client-facing detail', () => {
    expect(authErrorCatalogue()).toEqual({
      INVALID_TOKEN: { status: 401, detail: 'Invalid or expired token' },
      INVALID_API_KEY: { status: 401, detail: 'Invalid API key' },
      INVALID_CREDENTIALS: { status: 401, detail: 'Invalid credentials' },
      AMBIGUOUS_CREDENTIALS: { status: 400, detail: 'Conflicting credentials in request' },
      UNSUPPORTED_SCHEME: { status: 401, detail: 'Unsupported authorization scheme' },
      AUTH_UPSTREAM_UNAVAILABLE: { status: 503, detail: 'Authentication service unavailable' },
    });
  });

  it('keeps the reason and cause server-side: detail never carries them', () => {
    const cause = new Error('ECONNREFUSED 127.0.0.1:5432');
    const error = new AuthError('AUTH_UPSTREAM_UNAVAILABLE', { reason: 'orm unreachable', cause });
    expect(error.detail).toBe('Authentication service unavailable');
    expect(error.message).toContain('orm unreachable');
    expect(error.cause).toBe(cause);
  });

  it.each([
    ['INVALID_TOKEN', 'Bearer error="invalid_token"'],
    ['AMBIGUOUS_CREDENTIALS', 'Bearer error="invalid_request"'],
    [null, 'Bearer'],
  ] as const)('challenges %s with %s (RFC 6750 §3)', (code, challenge) => {
    expect(bearerChallenge(code)).toBe(challenge);
  });
});
