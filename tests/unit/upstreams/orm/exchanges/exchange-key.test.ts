// Without EXCHANGE_SECRET_KEY an install gets its own random key in
// DATA_DIR/keys/exchange-secret.key (0600), made once and reused; the variable wins.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXCHANGE_KEY_FILE, resolveExchangeKey } from '../../../../../upstreams/orm/exchanges/exchange-key.ts';
import { createCredentialCipher } from '../../../../../upstreams/orm/exchanges/credential-cipher.ts';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'exchange-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('resolveExchangeKey', () => {
  it('uses EXCHANGE_SECRET_KEY when set and writes nothing', () => {
    const dir = dataDir();
    expect(resolveExchangeKey({ secret: 'from the environment', dataDir: dir })).toEqual({ secret: 'from the environment', origin: 'environment' });
    expect(() => statSync(join(dir, EXCHANGE_KEY_FILE))).toThrow();
  });

  it('generates a key once, owner-only, says where, and reuses it on the next start', () => {
    const dir = dataDir();
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => warnings.push(fields), info: () => {} };
    const first = resolveExchangeKey({ secret: undefined, dataDir: dir, logger });
    expect(first.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(first.origin).toBe(join(dir, EXCHANGE_KEY_FILE));
    expect(statSync(first.origin).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    expect(JSON.stringify(warnings)).toContain(first.origin);
    expect(JSON.stringify(warnings)).not.toContain(first.secret);
    const second = resolveExchangeKey({ secret: undefined, dataDir: dir, logger });
    expect(second.secret).toBe(first.secret);
    expect(warnings).toHaveLength(1);
    // What one start encrypted, the next start reads.
    const stored = createCredentialCipher(first.secret).encrypt({ key: 'k', secret: 's' });
    expect(createCredentialCipher(second.secret).decrypt(stored)).toEqual({ key: 'k', secret: 's' });
  });

  it('gives two installs different keys', () => {
    expect(resolveExchangeKey({ secret: undefined, dataDir: dataDir() }).secret).not.toBe(resolveExchangeKey({ secret: undefined, dataDir: dataDir() }).secret);
  });

  it('refuses a damaged key file instead of replacing it', () => {
    const dir = dataDir();
    const { origin } = resolveExchangeKey({ secret: undefined, dataDir: dir });
    writeFileSync(origin, 'not a key');
    expect(() => resolveExchangeKey({ secret: undefined, dataDir: dir })).toThrow(/restore it from a backup or set EXCHANGE_SECRET_KEY/);
    expect(readFileSync(origin, 'utf8')).toBe('not a key');
  });
});
