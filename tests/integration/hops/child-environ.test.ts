// Issue 10 finding #1 with a real child: the supervisor spawns a process, and
// what the kernel shows as its environment (/proc/<pid>/environ) holds nothing
// that signs a gateway assertion — every value, tried as an Ed25519 or HMAC key,
// is refused by a verifier built from that same environment.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatewayAssertionKey } from '../../../gateway/auth/assertion-key.ts';
import { AssertionSigner } from '../../../gateway/auth/assertion-signer.ts';
import { UpstreamRegistry } from '../../../gateway/registry/upstream-registry.ts';
import { HopIdentities } from '../../../gateway/supervisor/hop-identities.ts';
import { createSupervisor, type AppSupervisor } from '../../../gateway/supervisor/supervisor.ts';
import { createAssertionVerifier } from '../../../upstreams/common/assertion.ts';
import { loadAssertionKeys } from '../../../upstreams/common/assertion-keys.ts';
import { fixturePath, gatewayConfig, processConfig, upstreamConfig } from '../../fixtures/processes/configs.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'hops-environ-'));
let supervisor: AppSupervisor | undefined;
afterAll(async () => {
  await supervisor?.stopAll();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.runIf(process.platform === 'linux')('a real supervised child', () => {
  it('has no key that can sign a gateway assertion in its environment', async () => {
    const gatewayKey = loadGatewayAssertionKey({ env: {}, dataDir, persist: false });
    supervisor = createSupervisor({
      registry: new UpstreamRegistry(),
      logger: pino({ level: 'silent' }),
      env: { ...process.env, JWT_SECRET_KEY: 'j'.repeat(40) },
      identities: new HopIdentities({ gatewayJwks: gatewayKey.jwks }),
    });
    await supervisor.apply(gatewayConfig([upstreamConfig('cache_api', { process: processConfig({ command: ['node', fixturePath('http-service.ts')] }) })]));
    await supervisor.start('cache_api');
    const pid = supervisor.status('cache_api')!.pid!;
    const environ = Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
    expect(environ).not.toHaveProperty('JWT_SECRET_KEY');
    expect(environ).not.toHaveProperty('GATEWAY_ASSERTION_SECRET');
    expect(environ.GATEWAY_ASSERTION_JWKS).toBeDefined();

    const verify = createAssertionVerifier({ audience: 'orm_api', keys: loadAssertionKeys(environ) });
    const keys: KeyObject[] = Object.values(environ).flatMap((value) => {
      try {
        return [createPrivateKey(value)];
      } catch {
        return [];
      }
    });
    expect(keys.some((key) => key.equals(gatewayKey.privateKey))).toBe(false);
    const claims = { email: 'admin@fullon', role: 'admin', scopes: [], auth_method: 'gateway' };
    const sign = (key: KeyObject | Uint8Array, alg: string) =>
      new SignJWT(claims).setProtectedHeader({ alg, kid: gatewayKey.kid }).setSubject('1').setIssuer('fullon-gateway').setAudience('orm_api').setIssuedAt().setExpirationTime('60s').sign(key);
    const forged = [...(await Promise.all(keys.map((key) => sign(key, 'EdDSA')))), ...(await Promise.all(Object.values(environ).filter(Boolean).map((value) => sign(new TextEncoder().encode(value), 'HS256'))))];
    expect(forged.length).toBeGreaterThan(5);
    for (const token of forged) await expect(verify(token)).rejects.toThrow();
    // The real gateway signer still gets through.
    const genuine = await new AssertionSigner({ key: gatewayKey.privateKey, kid: gatewayKey.kid }).sign({ userId: 1, email: 'a@b', role: 'user', scopes: [], authMethod: 'jwt' }, 'orm_api');
    await expect(verify(genuine)).resolves.toMatchObject({ userId: 1 });
  });
});
