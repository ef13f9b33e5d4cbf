import { describe, expect, it } from 'vitest';
import { AuthSettingsError, loadAuthSettings, parseExternalIssuers } from '../../../../gateway/auth/settings.ts';

const GOOD = 'a-production-grade-secret-0123456789-abcdef';

function load(env: Record<string, string>) {
  const warnings: string[] = [];
  const settings = loadAuthSettings({ env, warn: (message) => warnings.push(message) });
  return { settings, warnings };
}

describe('loadAuthSettings', () => {
  it('has the documented defaults', () => {
    const { settings, warnings } = load({ JWT_SECRET_KEY: GOOD });
    expect(settings).toMatchObject({
      expirationMinutes: 60,
      algorithm: 'HS256',
      issuer: 'fullon-master-api',
      audience: 'fullon',
      adminMail: 'admin@fullon',
      authUpstream: 'orm_api',
      clockSkewS: 60,
      externalIssuers: [],
    });
    expect(settings.apiKeyCacheTtlMs).toBeLessThanOrEqual(5000);
    expect(settings.apiKeyNegativeTtlMs).toBeLessThanOrEqual(settings.apiKeyCacheTtlMs);
    expect(warnings).toEqual([]);
  });

  it('reads every variable', () => {
    const { settings } = load({
      JWT_SECRET_KEY: GOOD,
      JWT_EXPIRATION_MINUTES: '15',
      JWT_ISSUER: 'iss',
      JWT_AUDIENCE: 'aud',
      ADMIN_MAIL: 'Boss@Example.com',
      API_KEY_CACHE_TTL_MS: '500',
      AUTH_UPSTREAM: 'users',
    });
    expect(settings).toMatchObject({ expirationMinutes: 15, issuer: 'iss', audience: 'aud', adminMail: 'boss@example.com', apiKeyCacheTtlMs: 500, apiKeyNegativeTtlMs: 500, authUpstream: 'users' });
  });

  it.each([
    ['the example secret', 'dev-only-insecure-jwt-secret-change-me'],
    ['a short secret', 'short-secret'],
    ['no secret', ''],
  ])('refuses %s when NODE_ENV=production', (_name, secret) => {
    expect(() => load({ NODE_ENV: 'production', JWT_SECRET_KEY: secret })).toThrow(AuthSettingsError);
  });

  it.each([
    ['the example secret', 'dev-only-insecure-jwt-secret-change-me'],
    ['a short secret', 'short-secret'],
  ])('warns about %s outside production', (_name, secret) => {
    const { warnings } = load({ JWT_SECRET_KEY: secret });
    expect(warnings).toHaveLength(1);
  });

  it('starts in production with a long secret', () => {
    expect(() => load({ NODE_ENV: 'production', JWT_SECRET_KEY: GOOD })).not.toThrow();
  });

  it.each([
    ['an unknown algorithm', { JWT_ALGORITHM: 'none' }],
    ['HS512', { JWT_ALGORITHM: 'HS512' }],
    ['EdDSA without key file', { JWT_ALGORITHM: 'EdDSA' }],
    ['a missing key file', { JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem' }],
    ['a zero expiry', { JWT_EXPIRATION_MINUTES: '0' }],
    ['a non-numeric expiry', { JWT_EXPIRATION_MINUTES: 'soon' }],
    ['an API-key TTL over 5 s', { API_KEY_CACHE_TTL_MS: '10000' }],
  ])('refuses %s', (_name, env) => {
    expect(() => load({ JWT_SECRET_KEY: GOOD, ...env })).toThrow(AuthSettingsError);
  });
});

describe('parseExternalIssuers', () => {
  it('parses the documented JSON', () => {
    expect(parseExternalIssuers('[{"issuer":"https://idp","jwks_url":"https://idp/jwks","audience":"fullon","algorithms":["RS256"]}]')).toEqual([
      { issuer: 'https://idp', jwksUrl: new URL('https://idp/jwks'), audience: 'fullon', algorithms: ['RS256'] },
    ]);
  });

  it.each([
    ['not JSON', '{'],
    ['not an array', '{}'],
    ['no issuer', '[{"jwks_url":"https://x/j","audience":"a"}]'],
    ['a bad URL', '[{"issuer":"i","jwks_url":"nope","audience":"a"}]'],
    ['a file URL', '[{"issuer":"i","jwks_url":"file:///etc/passwd","audience":"a"}]'],
    ['no audience', '[{"issuer":"i","jwks_url":"https://x/j"}]'],
    ['HS256 (symmetric) for an external issuer', '[{"issuer":"i","jwks_url":"https://x/j","audience":"a","algorithms":["HS256"]}]'],
    ['alg none', '[{"issuer":"i","jwks_url":"https://x/j","audience":"a","algorithms":["none"]}]'],
  ])('refuses %s', (_name, raw) => {
    expect(() => parseExternalIssuers(raw)).toThrow(AuthSettingsError);
  });
});

describe('.env.example', () => {
  it('ships JWT_SECRET_KEY blank (no value to copy into production, which refuses none)', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8');
    const secret = /^JWT_SECRET_KEY=(.*)$/m.exec(text)?.[1];
    expect(secret).toBe('');
    expect(() => load({ NODE_ENV: 'production', JWT_SECRET_KEY: secret! })).toThrow(AuthSettingsError);
  });
});
