import { describe, expect, it } from 'vitest';
import { CORS_DEFAULTS, CorsSettingsError, readCorsSettings } from '../../../../gateway/cors/settings.ts';

describe('readCorsSettings', () => {
  it('defaults to the original fullon_master_api settings', () => {
    expect(readCorsSettings({})).toEqual(CORS_DEFAULTS);
    expect(CORS_DEFAULTS).toMatchObject({ origins: ['*'], allowCredentials: true, allowMethods: ['*'], allowHeaders: ['*'] });
  });

  it.each([
    ['["http://localhost:3000", "http://localhost:8080"]', ['http://localhost:3000', 'http://localhost:8080']],
    ['http://localhost:3000, https://app.example.com/', ['http://localhost:3000', 'https://app.example.com']],
    ['["*"]', ['*']],
  ])('reads CORS_ORIGINS=%s as pydantic did (JSON list) or as a comma list', (value, origins) => {
    expect(readCorsSettings({ CORS_ORIGINS: value }).origins).toEqual(origins);
  });

  it('reads credentials, methods, headers and max age', () => {
    expect(readCorsSettings({ CORS_ALLOW_CREDENTIALS: 'false', CORS_ALLOW_METHODS: '["get","POST"]', CORS_ALLOW_HEADERS: 'Authorization,X-API-Key', CORS_MAX_AGE: '60' })).toMatchObject({
      allowCredentials: false,
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Authorization', 'X-API-Key'],
      maxAgeS: 60,
    });
  });

  it.each([
    [{ CORS_ORIGINS: '["http://a.example.com/path"]' }],
    [{ CORS_ORIGINS: 'not an origin' }],
    [{ CORS_ORIGINS: '["http://a", 3]' }],
    [{ CORS_ORIGINS: '[broken' }],
    [{ CORS_ALLOW_CREDENTIALS: 'yes please' }],
    [{ CORS_MAX_AGE: '-1' }],
  ])('refuses %j with a clear error', (env) => {
    expect(() => readCorsSettings(env)).toThrow(CorsSettingsError);
  });
});
