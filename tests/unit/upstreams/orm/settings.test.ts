import { describe, expect, it } from 'vitest';
import { ORM_DEFAULTS, readOrmSettings } from '../../../../upstreams/orm/settings.ts';

describe('readOrmSettings', () => {
  it('falls back to the defaults on an empty environment', () => {
    expect(readOrmSettings({})).toEqual({
      databaseUrl: undefined,
      dataDir: ORM_DEFAULTS.dataDir,
      adminMail: 'admin@fullon',
      adminPassword: undefined,
      exchangeSecretKey: undefined,
      bcryptRounds: 12,
      apiKeyTouchIntervalMs: 10_000,
    });
  });

  it('reads every variable, normalising the admin mail', () => {
    const settings = readOrmSettings({ DATABASE_URL: 'postgres://x', DATA_DIR: '/d', ADMIN_MAIL: ' Admin@Example.COM ', ADMIN_PASSWORD: 'p', EXCHANGE_SECRET_KEY: 'k', BCRYPT_ROUNDS: '4' });
    expect(settings).toMatchObject({ databaseUrl: 'postgres://x', dataDir: '/d', adminMail: 'admin@example.com', adminPassword: 'p', exchangeSecretKey: 'k', bcryptRounds: 4 });
  });

  it.each(['3', '21', 'twelve', '4.5'])('refuses BCRYPT_ROUNDS=%s', (rounds) => {
    expect(() => readOrmSettings({ BCRYPT_ROUNDS: rounds })).toThrow(/BCRYPT_ROUNDS/);
  });
});
