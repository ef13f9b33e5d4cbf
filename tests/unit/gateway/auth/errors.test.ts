import { describe, expect, it } from 'vitest';
import { AUTH_ERROR_CODES, AuthError, bearerChallenge } from '../../../../gateway/auth/errors.ts';
import { CATALOGUE, GatewayError } from '../../../../gateway/pipeline/errors.ts';

describe('auth errors', () => {
  it.each(AUTH_ERROR_CODES)('%s is the catalogue entry of that code', (code) => {
    const error = new AuthError(code);
    expect(error).toBeInstanceOf(GatewayError);
    const entry = CATALOGUE[code];
    expect({ status: error.status, detail: error.detail, headers: error.headers }).toEqual({ status: entry.status, detail: entry.detail, headers: { ...('headers' in entry ? entry.headers : {}) } });
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
    ['INVALID_CREDENTIALS', 'Bearer'],
    [null, 'Bearer'],
  ] as const)('challenges %s with %s (RFC 6750 §3)', (code, challenge) => {
    expect(bearerChallenge(code)).toBe(challenge);
  });
});
