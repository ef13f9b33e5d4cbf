// The original fullon settings names work as fallbacks; ours win when set.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyFullonEnvFallbacks, FullonEnvError } from '../../../../gateway/config/fullon-env.ts';
import { parseConfigText } from '../../../../gateway/config/load.ts';

describe('applyFullonEnvFallbacks', () => {
  it('builds DATABASE_URL and OHLCV_DATABASE_URL from DB_HOST/DB_PORT/DB_USER/DB_PASSWORD/DB_NAME/DB_OHLCV_NAME', () => {
    const env: NodeJS.ProcessEnv = { DB_HOST: 'db.internal', DB_PORT: '5433', DB_USER: 'fullon', DB_PASSWORD: 'p@ss:w/rd', DB_NAME: 'fullon2', DB_OHLCV_NAME: 'fullon_ohlcv' };
    const applied = applyFullonEnvFallbacks(env);
    expect(env.DATABASE_URL).toBe('postgresql://fullon:p%40ss%3Aw%2Frd@db.internal:5433/fullon2');
    expect(env.OHLCV_DATABASE_URL).toBe('postgresql://fullon:p%40ss%3Aw%2Frd@db.internal:5433/fullon_ohlcv');
    expect(new URL(env.DATABASE_URL!).password).toBe('p%40ss%3Aw%2Frd');
    expect(applied.map((a) => a.name)).toEqual(['DATABASE_URL', 'OHLCV_DATABASE_URL']);
    // Names only: a password never reaches what is logged.
    expect(JSON.stringify(applied)).not.toContain('p@ss');
  });

  it('keeps candles in DB_NAME when DB_OHLCV_NAME is not set, with the defaults host and port', () => {
    const env: NodeJS.ProcessEnv = { DB_NAME: 'fullon' };
    applyFullonEnvFallbacks(env);
    expect(env.DATABASE_URL).toBe('postgresql://localhost:5432/fullon');
    expect(env.OHLCV_DATABASE_URL).toBe('postgresql://localhost:5432/fullon');
  });

  it('never overrides this project\'s own names', () => {
    const env: NodeJS.ProcessEnv = { DB_NAME: 'fullon', DATABASE_URL: 'postgresql://mine/orm', OHLCV_DATABASE_URL: 'postgresql://mine/ohlcv', REDIS_HOST: 'r', REDIS_URL: 'redis://mine:6379/2' };
    expect(applyFullonEnvFallbacks(env)).toEqual([]);
    expect(env).toMatchObject({ DATABASE_URL: 'postgresql://mine/orm', OHLCV_DATABASE_URL: 'postgresql://mine/ohlcv', REDIS_URL: 'redis://mine:6379/2' });
  });

  it('treats an empty value of ours as unset (routes.yaml passes ${DATABASE_URL:-})', () => {
    const env: NodeJS.ProcessEnv = { DB_NAME: 'fullon', DATABASE_URL: '' };
    applyFullonEnvFallbacks(env);
    expect(env.DATABASE_URL).toBe('postgresql://localhost:5432/fullon');
  });

  it.each<[NodeJS.ProcessEnv, string]>([
    [{ REDIS_HOST: 'cache.internal', REDIS_PORT: '6380', REDIS_DB: '3', REDIS_PASSWORD: 's3cret' }, 'redis://:s3cret@cache.internal:6380/3'],
    [{ REDIS_HOST: 'localhost' }, 'redis://localhost:6379/0'],
    // fullon_cache's own names, as the original .env.example wrote them (None = no value).
    [{ CACHE_HOST: 'localhost', CACHE_PORT: '6379', CACHE_DB: '1', CACHE_USER: 'None', CACHE_PASSWORD: 'None' }, 'redis://localhost:6379/1'],
    [{ REDIS_HOST: 'r1', CACHE_HOST: 'r2' }, 'redis://r1:6379/0'],
    [{ REDIS_HOST: '::1' }, 'redis://[::1]:6379/0'],
  ])('builds REDIS_URL from %j', (env, url) => {
    applyFullonEnvFallbacks(env);
    expect(env.REDIS_URL).toBe(url);
  });

  it('sets nothing without the original\'s names (embedded defaults stay)', () => {
    const env: NodeJS.ProcessEnv = { HOST: '0.0.0.0' };
    expect(applyFullonEnvFallbacks(env)).toEqual([]);
    expect(env).toEqual({ HOST: '0.0.0.0' });
  });

  it.each<[NodeJS.ProcessEnv]>([
    [{ DB_NAME: 'x', DB_PORT: 'abc' }],
    [{ DB_NAME: 'x', DB_HOST: 'evil/host?x=' }],
    [{ REDIS_HOST: 'r', REDIS_PORT: '99999' }],
    [{ REDIS_HOST: 'r', REDIS_DB: 'zero' }],
  ])('refuses %j with a clear error', (env) => {
    expect(() => applyFullonEnvFallbacks(env)).toThrow(FullonEnvError);
  });

  it('is what routes.yaml hands the supervised children', () => {
    const env: NodeJS.ProcessEnv = { DB_HOST: 'db', DB_USER: 'u', DB_NAME: 'fullon2', REDIS_HOST: 'cache' };
    applyFullonEnvFallbacks(env);
    const loaded = parseConfigText(readFileSync('routes.yaml', 'utf8'), 'routes.yaml', env);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const envOf = (name: string) => loaded.config.upstreams.get(name)?.process?.env ?? {};
    expect(envOf('orm_api').DATABASE_URL).toBe('postgresql://u@db:5432/fullon2');
    expect(envOf('ohlcv_api').OHLCV_DATABASE_URL).toBe('postgresql://u@db:5432/fullon2');
    expect(envOf('cache_api').REDIS_URL).toBe('redis://cache:6379/0');
  });
});
