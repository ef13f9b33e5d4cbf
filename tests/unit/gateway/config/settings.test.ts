import { describe, expect, it } from 'vitest';
import { parseTrustedProxies, readSettings, SettingsError } from '../../../../gateway/config/settings.ts';

describe('readSettings', () => {
  it('uses the defaults on an empty environment', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({ host: '127.0.0.1', port: 8000, routesFile: './routes.yaml', shutdownGraceMs: 10_000, maxHeaderBytes: 16_384, localBodyLimitBytes: 1_048_576, accessLog: true });
  });

  it('reads overrides', () => {
    const settings = readSettings({ PORT: '0', SHUTDOWN_GRACE_MS: '500', LOCAL_BODY_LIMIT: '64kb', ACCESS_LOG: 'false' });
    expect(settings).toMatchObject({ port: 0, shutdownGraceMs: 500, localBodyLimitBytes: 65_536, accessLog: false });
  });

  it.each([[{ PORT: 'eighty' }], [{ SHUTDOWN_GRACE_MS: '-1' }], [{ TRUSTED_PROXIES: '10.0.0.0/33' }], [{ TRUSTED_PROXIES: 'proxy.local' }], [{ LOCAL_BODY_LIMIT: 'lots' }]])('refuses %j', (env) => {
    expect(() => readSettings(env)).toThrow(SettingsError);
  });
});

describe('parseTrustedProxies', () => {
  it.each([
    ['10.0.0.0/8', '10.200.1.1', 'ipv4', true],
    ['10.0.0.0/8', '11.0.0.1', 'ipv4', false],
    ['127.0.0.1', '127.0.0.1', 'ipv4', true],
    ['fd00::/8', 'fd12::1', 'ipv6', true],
    ['', '127.0.0.1', 'ipv4', false],
  ] as const)('%s contains %s: %s', (list, address, family, expected) => {
    expect(parseTrustedProxies(list).check(address, family)).toBe(expected);
  });
});
