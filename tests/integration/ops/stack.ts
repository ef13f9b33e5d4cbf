// Real processes for the console and several-gateways tests: one orm upstream
// started on its own (real Postgres), and gateway processes (`gateway/main.ts`)
// that reach it as an external `url:` upstream. The gateways share what replicas
// share in production (docs/deployment.md): JWT_SECRET_KEY, the Ed25519 assertion
// key (GATEWAY_ASSERTION_PRIVATE_KEY; the orm gets its public JWKS), and a Redis
// (the run's own, workerRedis()).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicJwkOf } from '../../../gateway/auth/assertion-key.ts';
import { uniqueMail, workerDatabaseUrl, workerRedis } from '../../helpers/isolation.ts';
import { startProcess, type StartedProcess } from '../../helpers/processes.ts';

export interface SharedSecrets {
  jwtSecret: string;
  assertionPem: string;
  assertionJwks: string;
  adminMail: string;
  adminPassword: string;
}

export function makeSharedSecrets(): SharedSecrets {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    jwtSecret: `ops-jwt-${'x'.repeat(40)}`,
    assertionPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    assertionJwks: JSON.stringify({ keys: [publicJwkOf(privateKey)] }),
    adminMail: uniqueMail('opsadmin'),
    adminPassword: 'ops-admin-password-1',
  };
}

/** The orm upstream as its own process, trusting the shared gateway key. */
export async function startExternalOrm(secrets: SharedSecrets, purpose: string): Promise<StartedProcess> {
  return startProcess(
    'upstreams/orm/main.ts',
    {
      DATABASE_URL: await workerDatabaseUrl(purpose),
      GATEWAY_ASSERTION_JWKS: secrets.assertionJwks,
      ADMIN_MAIL: secrets.adminMail,
      ADMIN_PASSWORD: secrets.adminPassword,
      BCRYPT_ROUNDS: '4',
    },
    60_000,
  );
}

export interface GatewayProcess extends StartedProcess {
  dir: string;
  routesFile: string;
  remove(): Promise<void>;
}

/** A real gateway process with its own DATA_DIR and routes file. */
export async function startGatewayProcess(secrets: SharedSecrets, routesYaml: string, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ops-gateway-'));
  const routesFile = join(dir, 'routes.yaml');
  writeFileSync(routesFile, routesYaml);
  const started = await startProcess(
    'gateway/main.ts',
    {
      ENV_FILE: '',
      ROUTES_FILE: routesFile,
      DATA_DIR: join(dir, 'data'),
      HOST: '127.0.0.1',
      JWT_SECRET_KEY: secrets.jwtSecret,
      GATEWAY_ASSERTION_PRIVATE_KEY: secrets.assertionPem,
      ADMIN_MAIL: secrets.adminMail,
      REDIS_URL: workerRedis().url,
      SERVICE_AUTO_START_ENABLED: 'false',
      RELOAD_DEBOUNCE_MS: '20',
      ...env,
    },
    60_000,
  );
  return {
    ...started,
    dir,
    routesFile,
    async remove() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function login(gatewayUrl: string, mail: string, password: string): Promise<Response> {
  return fetch(`${gatewayUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: mail, password }) });
}

export async function tokenOf(gatewayUrl: string, mail: string, password: string): Promise<string> {
  const response = await login(gatewayUrl, mail, password);
  if (response.status !== 200) throw new Error(`login ${mail}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}
