// HTTPS settings: TLS is off without a certificate source; the pair comes both or
// neither; TLS 1.0/1.1 are refused; HSTS is opt-in and needs TLS.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProcessSettings } from '../../../../gateway/config/process-settings.ts';
import { SettingsError } from '../../../../gateway/config/settings.ts';
import { hstsHeaderValue } from '../../../../gateway/tls/hsts.ts';
import { readTlsSettings, TlsSettingsError } from '../../../../gateway/tls/settings.ts';

const context = { dataDir: './data', reloadDebounceMs: 150 };
const read = (env: NodeJS.ProcessEnv) => readTlsSettings(env, context);
const PAIR = { TLS_CERT_FILE: 'certs/site.crt', TLS_KEY_FILE: 'certs/site.key' };

describe('readTlsSettings', () => {
  it('leaves TLS off without a certificate source, with TLS 1.2 as the floor and no HSTS', () => {
    expect(read({})).toEqual({ enabled: false, certFile: null, keyFile: null, certDir: null, acmeCertDir: null, minVersion: 'TLSv1.2', hsts: null, ticketKeyFile: resolve('./data/tls/session-ticket.keys'), reloadDebounceMs: 150 });
  });

  it('turns TLS on with the pair, resolving the paths', () => {
    expect(read(PAIR)).toMatchObject({ enabled: true, certFile: resolve('certs/site.crt'), keyFile: resolve('certs/site.key') });
  });

  it('turns TLS on with a certificate directory alone', () => {
    expect(read({ TLS_CERT_DIR: '/etc/gateway/certs' })).toMatchObject({ enabled: true, certFile: null, certDir: '/etc/gateway/certs' });
  });

  it('includes DATA_DIR/acme/certs as a source when ACME_DOMAINS is set', () => {
    expect(read({ ACME_DOMAINS: 'api.example.com' })).toMatchObject({ enabled: true, acmeCertDir: resolve('./data/acme/certs') });
  });

  it.each([
    ['TLS_CERT_FILE', { TLS_CERT_FILE: 'site.crt' }, 'TLS_CERT_FILE is set but TLS_KEY_FILE is not'],
    ['TLS_KEY_FILE', { TLS_KEY_FILE: 'site.key' }, 'TLS_KEY_FILE is set but TLS_CERT_FILE is not'],
  ])('refuses %s without its other half, saying which is missing', (_name, env, message) => {
    expect(() => read(env)).toThrow(TlsSettingsError);
    expect(() => read(env)).toThrow(message);
  });

  it.each(['TLSv1.2', 'TLSv1.3', 'tlsv1.3'])('accepts TLS_MIN_VERSION=%s', (version) => {
    expect(read({ ...PAIR, TLS_MIN_VERSION: version }).minVersion).toBe(version.replace('tlsv', 'TLSv'));
  });

  it.each([
    ['TLSv1.1', 'TLS_MIN_VERSION: TLSv1.1 is refused (TLS 1.0 and 1.1 are deprecated, RFC 8996)'],
    ['TLSv1', 'TLS_MIN_VERSION: TLSv1 is refused'],
    ['TLSv1.0', 'TLS_MIN_VERSION: TLSv1.0 is refused'],
    ['SSLv3', 'TLS_MIN_VERSION: must be TLSv1.2 or TLSv1.3, got "SSLv3"'],
  ])('refuses TLS_MIN_VERSION=%s', (version, message) => {
    expect(() => read({ ...PAIR, TLS_MIN_VERSION: version })).toThrow(message);
  });

  it('reads HSTS_MAX_AGE and HSTS_INCLUDE_SUBDOMAINS', () => {
    expect(read({ ...PAIR, HSTS_MAX_AGE: '31536000', HSTS_INCLUDE_SUBDOMAINS: 'true' }).hsts).toEqual({ maxAgeS: 31536000, includeSubDomains: true });
    expect(read({ ...PAIR, HSTS_MAX_AGE: '0' }).hsts).toBeNull();
  });

  it.each([
    [{ HSTS_MAX_AGE: '-1' }, 'HSTS_MAX_AGE: must be a whole number of seconds'],
    [{ HSTS_MAX_AGE: '1y' }, 'HSTS_MAX_AGE: must be a whole number of seconds'],
    [{ HSTS_INCLUDE_SUBDOMAINS: 'yes' }, 'HSTS_INCLUDE_SUBDOMAINS: must be true or false'],
  ])('refuses %o', (env, message) => {
    expect(() => read({ ...PAIR, ...env })).toThrow(message);
  });

  it('refuses HSTS without TLS: browsers ignore it over plain HTTP', () => {
    expect(() => read({ HSTS_MAX_AGE: '600' })).toThrow('HSTS_MAX_AGE needs HTTPS');
  });
});

describe('readProcessSettings', () => {
  it('carries the TLS settings, with the gateway’s DATA_DIR and RELOAD_DEBOUNCE_MS', () => {
    const settings = readProcessSettings({ ...PAIR, DATA_DIR: '/srv/data', RELOAD_DEBOUNCE_MS: '40', ACME_DOMAINS: 'a.example.com' });
    expect(settings.tls).toMatchObject({ enabled: true, acmeCertDir: '/srv/data/acme/certs', reloadDebounceMs: 40 });
  });

  it('turns a TLS setting error into the one-line SettingsError of the start', () => {
    expect(() => readProcessSettings({ TLS_CERT_FILE: 'x.crt' })).toThrow(SettingsError);
  });
});

describe('hstsHeaderValue', () => {
  it.each([
    [null, null],
    [{ maxAgeS: 0, includeSubDomains: true }, null],
    [{ maxAgeS: 600, includeSubDomains: false }, 'max-age=600'],
    [{ maxAgeS: 31536000, includeSubDomains: true }, 'max-age=31536000; includeSubDomains'],
  ])('%o → %s', (hsts, header) => {
    expect(hstsHeaderValue(hsts)).toBe(header);
  });
});
