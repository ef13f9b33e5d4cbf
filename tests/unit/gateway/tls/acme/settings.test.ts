import { describe, expect, it } from 'vitest';
import { readProcessSettings } from '../../../../../gateway/config/process-settings.ts';
import { SettingsError } from '../../../../../gateway/config/settings.ts';
import { LETS_ENCRYPT_PRODUCTION, readAcmeSettings } from '../../../../../gateway/tls/acme/settings.ts';
import { readHttpRedirectSettings } from '../../../../../gateway/tls/redirect-settings.ts';

describe('ACME settings', () => {
  it('is off without ACME_DOMAINS', () => {
    expect(readAcmeSettings({})).toBeNull();
    expect(readAcmeSettings({ ACME_DOMAINS: ' , ' })).toBeNull();
  });

  it('reads the names (lower-cased, deduplicated), Let\'s Encrypt production by default', () => {
    expect(readAcmeSettings({ ACME_DOMAINS: 'API.example.com, trade.example.com,api.example.com', ACME_EMAIL: 'ops@example.com' })).toEqual({
      domains: ['api.example.com', 'trade.example.com'],
      email: 'ops@example.com',
      directoryUrl: LETS_ENCRYPT_PRODUCTION,
      caFile: null,
    });
  });

  it.each([
    [{ ACME_DOMAINS: '*.example.com' }, /ACME_DOMAINS: "\*\.example\.com" is not a host name \(wildcards need DNS-01/],
    [{ ACME_DOMAINS: 'api.example.com,10.0.0.1' }, /"10\.0\.0\.1" is not a host name \(a DNS name, no IP address/],
    [{ ACME_DOMAINS: 'https://api.example.com' }, /is not a host name/],
    [{ ACME_DOMAINS: 'api.example.com:443' }, /is not a host name/],
    [{ ACME_DOMAINS: 'a.example', ACME_EMAIL: 'not-an-address' }, /ACME_EMAIL: must be an e-mail address/],
    [{ ACME_DOMAINS: 'a.example', ACME_DIRECTORY_URL: 'http://acme.example/dir' }, /ACME_DIRECTORY_URL: must be an https:\/\/ URL/],
    [{ ACME_DOMAINS: 'a.example', ACME_DIRECTORY_URL: 'acme.example/dir' }, /ACME_DIRECTORY_URL/],
  ])('refuses %j with one line', (env, message) => {
    expect(() => readAcmeSettings(env)).toThrow(message);
  });
});

describe('plain-HTTP port settings', () => {
  const context = { host: '127.0.0.1', acmeDomains: [] as string[], tlsEnabled: true };

  it('is off without HTTP_REDIRECT_PORT', () => {
    expect(readHttpRedirectSettings({}, context)).toBeNull();
  });

  it('listens on port 80 with ACME_DOMAINS when HTTP_REDIRECT_PORT is unset (the port the CA checks)', () => {
    expect(readHttpRedirectSettings({}, { ...context, acmeDomains: ['api.example.com'] })).toMatchObject({ port: 80, names: new Set(['api.example.com']) });
  });

  it('redirects to ACME_DOMAINS and HTTP_REDIRECT_HOSTS only', () => {
    const settings = readHttpRedirectSettings({ HTTP_REDIRECT_PORT: '80', HTTP_REDIRECT_HOSTS: 'WWW.example.com' }, { host: '0.0.0.0', acmeDomains: ['api.example.com'], tlsEnabled: true });
    expect(settings).toEqual({ host: '0.0.0.0', port: 80, httpsPort: null, names: new Set(['api.example.com', 'www.example.com']) });
  });

  it.each([
    [{ HTTP_REDIRECT_PORT: '80' }, [], /HTTP_REDIRECT_PORT needs ACME_DOMAINS or HTTP_REDIRECT_HOSTS/],
    [{ HTTP_REDIRECT_PORT: '65536', HTTP_REDIRECT_HOSTS: 'a.example' }, [], /HTTP_REDIRECT_PORT: must be a port number \(0-65535\), got "65536"/],
    [{ HTTP_REDIRECT_PORT: '-1', HTTP_REDIRECT_HOSTS: 'a.example' }, [], /HTTP_REDIRECT_PORT: must be a port number/],
    [{ HTTP_REDIRECT_PORT: 'eighty', HTTP_REDIRECT_HOSTS: 'a.example' }, [], /HTTP_REDIRECT_PORT: must be a port number/],
    [{ HTTP_REDIRECT_PORT: '80', HTTP_REDIRECT_HTTPS_PORT: '0', HTTP_REDIRECT_HOSTS: 'a.example' }, [], /HTTP_REDIRECT_HTTPS_PORT: must be a port number \(1-65535\)/],
    [{ HTTP_REDIRECT_PORT: '80', HTTP_REDIRECT_HOSTS: 'evil.com/x' }, [], /HTTP_REDIRECT_HOSTS: "evil\.com\/x" is not a host name/],
  ])('refuses %j (ACME_DOMAINS %j)', (env, acmeDomains, message) => {
    expect(() => readHttpRedirectSettings(env, { ...context, acmeDomains })).toThrow(message);
  });

  it('refuses to redirect to the gateway\'s own port when it has no certificate, unless told the HTTPS port of a terminator in front', () => {
    const env = { HTTP_REDIRECT_PORT: '80', HTTP_REDIRECT_HOSTS: 'api.example.com' };
    expect(() => readHttpRedirectSettings(env, { ...context, tlsEnabled: false })).toThrow(/HTTP_REDIRECT_PORT redirects to HTTPS, but the gateway has no certificate/);
    expect(readHttpRedirectSettings({ ...env, HTTP_REDIRECT_HTTPS_PORT: '443' }, { ...context, tlsEnabled: false })).toMatchObject({ httpsPort: 443 });
  });

  it('reaches the process settings, and a bad value is the one-line SettingsError that stops the start', () => {
    const settings = readProcessSettings({ ENV_FILE: '', ACME_DOMAINS: 'api.example.com', HTTP_REDIRECT_PORT: '8080', HTTP_REDIRECT_HTTPS_PORT: '443' });
    expect(settings.acme?.domains).toEqual(['api.example.com']);
    expect(settings.httpRedirect).toMatchObject({ port: 8080, httpsPort: 443 });
    expect(() => readProcessSettings({ ACME_DOMAINS: 'api.example.com', HTTP_REDIRECT_PORT: '80', HTTP_REDIRECT_HTTPS_PORT: 'https' })).toThrow(SettingsError);
  });
});
