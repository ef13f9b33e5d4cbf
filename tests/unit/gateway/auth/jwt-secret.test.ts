// The user-token secret is resolved in one module (issue 14 item 0).
import { describe, expect, it } from 'vitest';
import { JwtSecretError, RUN_SECRET_WARNING, resolveJwtSecret } from '../../../../gateway/auth/jwt-secret.ts';

const GOOD = 'a'.repeat(40);

function resolve(env: NodeJS.ProcessEnv, check?: boolean) {
  const warnings: string[] = [];
  const secret = resolveJwtSecret(env, (message) => warnings.push(message), check === undefined ? {} : { check });
  return { secret, warnings };
}

describe('resolveJwtSecret', () => {
  it('takes JWT_SECRET_KEY when it is good', () => {
    expect(resolve({ JWT_SECRET_KEY: GOOD, NODE_ENV: 'production' })).toEqual({ secret: { value: GOOD, source: 'env' }, warnings: [] });
  });

  it('makes up a different random secret per run in development, and says so', () => {
    const first = resolve({ NODE_ENV: 'development' });
    const second = resolve({});
    expect(first.secret.source).toBe('run');
    expect(first.secret.value).toMatch(/^[0-9a-f]{64}$/);
    expect(second.secret.value).not.toBe(first.secret.value);
    expect(first.warnings).toEqual([RUN_SECRET_WARNING]);
  });

  it.each([['missing', ''], ['the example', 'change-me'], ['short', 'short-secret']])('refuses a %s secret in production', (_name, secret) => {
    expect(() => resolve({ NODE_ENV: 'production', JWT_SECRET_KEY: secret })).toThrow(JwtSecretError);
  });

  it('without checks (key-pair signing) neither warns nor refuses, and still never falls back to a constant', () => {
    expect(resolve({ NODE_ENV: 'production', JWT_SECRET_KEY: 'short' }, false)).toEqual({ secret: { value: 'short', source: 'env' }, warnings: [] });
    const unset = resolve({ NODE_ENV: 'production' }, false);
    expect(unset.secret.source).toBe('run');
    expect(unset.warnings).toEqual([]);
  });
});
