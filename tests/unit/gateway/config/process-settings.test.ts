// One validated settings object per process (issue 14 item 0).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcessSettings } from '../../../../gateway/config/process-settings.ts';
import { SettingsError } from '../../../../gateway/config/settings.ts';

const GOOD = 'b'.repeat(40);

describe('readProcessSettings', () => {
  it('gathers every part with the documented defaults', () => {
    const settings = readProcessSettings({ JWT_SECRET_KEY: GOOD });
    expect(settings.gateway).toMatchObject({ host: '127.0.0.1', port: 8000, routesFile: './routes.yaml', dataDir: './data' });
    expect(settings.auth.secretKey).toBe(GOOD);
    expect(settings.health.checkIntervalSeconds).toBeNull();
    expect(settings.autostart).toEqual({ enabled: true, services: ['ticker', 'ohlcv', 'account'] });
    expect(settings.loginThrottle.accountFailures).toBeGreaterThan(0);
    expect(settings).toMatchObject({ redisUrl: null, revocationChannel: null, externalServiceJwks: undefined, firstRun: { adminMail: 'admin@fullon', adminPasswordSet: false }, authWarnings: [] });
  });

  it('reads the variables main.ts wires', () => {
    const settings = readProcessSettings({ JWT_SECRET_KEY: GOOD, REDIS_URL: 'redis://127.0.0.1:1/0', AUTH_REVOCATION_CHANNEL: 'rev', ADMIN_MAIL: 'boss@example.com', ADMIN_PASSWORD: 'x' });
    expect(settings).toMatchObject({ redisUrl: 'redis://127.0.0.1:1/0', revocationChannel: 'rev', firstRun: { adminMail: 'boss@example.com', adminPasswordSet: true } });
  });

  it('is read from a snapshot: a later change of the environment changes nothing', () => {
    const env: NodeJS.ProcessEnv = { JWT_SECRET_KEY: GOOD, PORT: '9000' };
    const settings = readProcessSettings(env);
    env.PORT = '1';
    expect(settings.env.PORT).toBe('9000');
    expect(Object.isFrozen(settings.env)).toBe(true);
  });

  it('keeps the development warnings for the logger', () => {
    expect(readProcessSettings({}).authWarnings.join('\n')).toContain('using a random secret for this run');
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['JWT_SECRET_KEY in production', { NODE_ENV: 'production', JWT_SECRET_KEY: 'short' }],
    ['HEALTH_CHECK_INTERVAL_SECONDS', { HEALTH_CHECK_INTERVAL_SECONDS: '0' }],
    ['SERVICE_AUTO_START_ENABLED', { SERVICE_AUTO_START_ENABLED: 'maybe' }],
    ['LOGIN_MAX_FAILURES_PER_ACCOUNT', { LOGIN_MAX_FAILURES_PER_ACCOUNT: '-1' }],
  ])('refuses a bad %s with one SettingsError naming it', (name, env) => {
    expect(() => readProcessSettings({ JWT_SECRET_KEY: GOOD, ...env })).toThrow(SettingsError);
    expect(() => readProcessSettings({ JWT_SECRET_KEY: GOOD, ...env })).toThrow(name.split(' ')[0]!);
  });

  it.each(['cluster/primary.ts', 'cluster/worker.ts'])('is the only place %s reads the environment from (after .env and the fullon fallbacks filled it in)', (file) => {
    const source = readFileSync(join(import.meta.dirname, '../../../../gateway', file), 'utf8');
    expect(source.match(/process\.env/g)).toEqual(['process.env']);
    expect(source).toContain('readProcessSettings(process.env)');
  });

  it('main.ts only chooses between the primary and a worker', () => {
    const main = readFileSync(join(import.meta.dirname, '../../../../gateway/main.ts'), 'utf8');
    expect(main).not.toContain('process.env');
  });

  it.each([
    ['0', 'WORKERS must be a whole number from 1 to 64'],
    ['-2', 'WORKERS must be a whole number from 1 to 64'],
    ['65', 'WORKERS must be a whole number from 1 to 64'],
    ['two', 'WORKERS must be a whole number from 1 to 64'],
    ['1.5', 'WORKERS must be a whole number from 1 to 64'],
  ])('refuses WORKERS=%s with one line saying what is allowed', (value, message) => {
    expect(() => readProcessSettings({ JWT_SECRET_KEY: GOOD, WORKERS: value })).toThrow(SettingsError);
    expect(() => readProcessSettings({ JWT_SECRET_KEY: GOOD, WORKERS: value })).toThrow(`${message} (got "${value}")`);
  });

  it('runs one worker per core by default, and takes 1 and 64', () => {
    expect(readProcessSettings({ JWT_SECRET_KEY: GOOD }).workers.count).toBe(Math.min(64, availableParallelism()));
    expect(readProcessSettings({ JWT_SECRET_KEY: GOOD, WORKERS: '1' }).workers.count).toBe(1);
    expect(readProcessSettings({ JWT_SECRET_KEY: GOOD, WORKERS: ' 64 ' }).workers.count).toBe(64);
    expect(readProcessSettings({ JWT_SECRET_KEY: GOOD, WORKERS: '' }).workers.count).toBe(Math.min(64, availableParallelism()));
  });

  it('refuses a heartbeat timeout under 500 ms', () => {
    expect(() => readProcessSettings({ JWT_SECRET_KEY: GOOD, WORKER_HEARTBEAT_TIMEOUT_MS: '100' })).toThrow('WORKER_HEARTBEAT_TIMEOUT_MS must be a whole number from 500 to 600000 (got "100")');
    expect(readProcessSettings({ JWT_SECRET_KEY: GOOD, WORKER_HEARTBEAT_TIMEOUT_MS: '1500' }).workers.heartbeatTimeoutMs).toBe(1500);
  });
});
