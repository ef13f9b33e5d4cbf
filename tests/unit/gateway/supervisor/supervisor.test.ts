// State-machine tests of the supervisor with in-memory children and a scripted
// health probe: every transition, policy and 404/409 without real processes.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../../../gateway/probe/health-probe.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { ServiceControlError } from '../../../../gateway/supervisor/types.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { gatewayConfig, processConfig, serviceConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { createFakeSpawner, type FakeSpawner } from '../../../fixtures/processes/fake-spawner.ts';
import { nextTransition, recordTransitions, waitForState } from '../../../fixtures/processes/wait.ts';

const healthy: ProbeResult = { ok: true, status: 200, latencyMs: 1, error: null, dependencies: {} };
const refused: ProbeResult = { ok: false, status: null, latencyMs: 1, error: 'connection refused', dependencies: {} };

let supervisor: AppSupervisor;
let fake: FakeSpawner;
let registry: UpstreamRegistry;
let probeOk: boolean;

function setup(): AppSupervisor {
  fake = createFakeSpawner();
  registry = new UpstreamRegistry();
  probeOk = true;
  supervisor = createSupervisor({
    registry,
    logger: pino({ level: 'silent' }),
    env: { PATH: '/usr/bin', JWT_SECRET_KEY: 'x'.repeat(40), AWS_SECRET_ACCESS_KEY: 'leak' },
    spawner: fake.spawner,
    probe: async () => (probeOk ? healthy : refused),
    random: () => 0,
    pickPort: async () => 45_678,
  });
  return supervisor;
}

afterEach(async () => {
  await supervisor?.stopAll();
});

async function expectControlError(promise: Promise<unknown>, status: number, detail: RegExp): Promise<void> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ServiceControlError);
  expect((error as ServiceControlError).status).toBe(status);
  expect((error as Error).message).toMatch(detail);
}

describe('supervisor state machine', () => {
  it('goes stopped → starting → running once the health probe answers, and marks the upstream up only then', async () => {
    setup();
    const seen = recordTransitions(supervisor);
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    expect(registry.get('orm')).toMatchObject({ availability: 'down', target: new URL('http://127.0.0.1:45678') });
    await supervisor.start('orm');
    expect(seen.map((t) => t.to)).toEqual(['starting', 'running']);
    expect(registry.get('orm')?.availability).toBe('up');
    expect(supervisor.status('orm')).toMatchObject({ status: 'running', is_running: true, healthy: true, managed: true, restarts: 0 });
    expect(supervisor.status('orm')?.pid).toBe(fake.children[0]?.pid);
  });

  it('passes the child a minimal environment: PORT, SERVICE_NAME, assertion key, discovery URLs, configured env, no gateway secrets', async () => {
    setup();
    const orm = upstreamConfig('orm', { process: processConfig({ env: { DATABASE_URL: 'postgres://db' } }) });
    const cache = upstreamConfig('cache', { url: 'http://127.0.0.1:7001', process: null });
    await supervisor.apply(gatewayConfig([orm, cache]));
    await supervisor.start('orm');
    const env = fake.children[0]!.request.env;
    expect(env).toMatchObject({ PATH: '/usr/bin', PORT: '45678', SERVICE_NAME: 'orm', DATABASE_URL: 'postgres://db', UPSTREAM_ORM_URL: 'http://127.0.0.1:45678', UPSTREAM_CACHE_URL: 'http://127.0.0.1:7001' });
    expect(JSON.parse(env.GATEWAY_ASSERTION_JWKS!).keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(env.SERVICE_ASSERTION_PRIVATE_KEY).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(env).not.toHaveProperty('GATEWAY_ASSERTION_SECRET');
    expect(env).not.toHaveProperty('JWT_SECRET_KEY');
    expect(env).not.toHaveProperty('AWS_SECRET_ACCESS_KEY');
  });

  it('restarts a crashed running service after backoff and counts the restart', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    await supervisor.start('orm');
    const backoff = nextTransition(supervisor, 'orm', 'backoff');
    fake.children[0]!.exit(null, 'SIGKILL');
    expect((await backoff).reason).toMatch(/killed by SIGKILL/);
    expect(registry.get('orm')).toMatchObject({ availability: 'down' });
    await nextTransition(supervisor, 'orm', 'running');
    expect(supervisor.status('orm')).toMatchObject({ restarts: 1, last_exit: { code: null, signal: 'SIGKILL' } });
    expect(registry.get('orm')?.availability).toBe('up');
  });

  it('backs off then fails after the start limit when the command exits at once, keeping its output', async () => {
    setup();
    fake.onSpawn = (child) => {
      child.print('fatal: cannot open config', 'stderr');
      child.exit(3);
    };
    probeOk = false;
    const seen = recordTransitions(supervisor);
    await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ restart: { startLimitBurst: 3 } }) })]));
    const failed = nextTransition(supervisor, 'orm', 'failed');
    await expectControlError(supervisor.start('orm'), 503, /exited with code 3 during start/);
    expect((await failed).reason).toMatch(/start limit reached \(3 starts/);
    expect(fake.children).toHaveLength(3);
    expect(seen.map((t) => t.to)).toEqual(['starting', 'backoff', 'starting', 'backoff', 'starting', 'failed']);
    expect(supervisor.logs('orm', 10).map((entry) => [entry.generation, entry.msg])).toEqual([
      [1, 'fatal: cannot open config'],
      [2, 'fatal: cannot open config'],
      [3, 'fatal: cannot open config'],
    ]);
    expect(supervisor.status('orm')?.last_exit?.code).toBe(3);
  });

  it('fails a start that never becomes healthy at the start timeout and kills the child', async () => {
    setup();
    probeOk = false;
    const config = upstreamConfig('orm', { process: processConfig({ startTimeoutMs: 150, restart: { policy: 'never' } }) });
    await supervisor.apply(gatewayConfig([config]));
    await expectControlError(supervisor.start('orm'), 503, /not healthy within 150 ms/);
    expect(supervisor.status('orm')?.status).toBe('failed');
    expect(fake.children[0]!.signals).toContain('SIGTERM');
    expect(fake.children[0]!.exited).toBe(true);
  });

  it.each([
    ['on-failure', 0, 'stopped'],
    ['on-failure', 1, 'backoff'],
    ['never', 1, 'failed'],
    ['never', 0, 'stopped'],
  ] as const)('policy %s after exit code %i goes to %s', async (policy, code, expected) => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ restart: { policy } }) })]));
    await supervisor.start('orm');
    const next = nextTransition(supervisor, 'orm', expected);
    fake.children[0]!.exit(code);
    await next;
  });

  it('stops with SIGTERM and escalates to SIGKILL after the grace period', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ stopGraceMs: 50 }) })]));
    await supervisor.start('orm');
    fake.children[0]!.ignoreSigterm = true;
    await supervisor.stop('orm');
    expect(fake.children[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(supervisor.status('orm')).toMatchObject({ status: 'stopped', is_running: false, pid: null });
    expect(registry.get('orm')).toMatchObject({ availability: 'down', retryAfterS: 5 });
  });

  it('answers 409 for start when running and stop when stopped, with the reason', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    await expectControlError(supervisor.stop('orm'), 409, /orm is not running \(it is stopped\)/);
    await supervisor.start('orm');
    await expectControlError(supervisor.start('orm'), 409, /orm is already running/);
  });

  it('answers 404 for an unknown name and 409 for an externally managed upstream', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('ext', { url: 'http://127.0.0.1:9', process: null })]));
    expect(() => supervisor.start('nope')).toThrow(/Service 'nope' not found/);
    expect(() => supervisor.restart('ext')).toThrow(/externally managed/);
    expect(supervisor.status('ext')).toMatchObject({ managed: false, pid: null });
  });

  it('serialises concurrent start, stop and restart on one service', async () => {
    setup();
    fake.onSpawn = (child) => child.print('{"msg":"listening","port":45678}');
    const seen = recordTransitions(supervisor);
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    const results = await Promise.allSettled([supervisor.start('orm'), supervisor.start('orm'), supervisor.restart('orm'), supervisor.stop('orm'), supervisor.stop('orm')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected']);
    // The restart replaced the process in place (no transition), then the stop ran.
    expect(seen.map((t) => t.to)).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(fake.children).toHaveLength(2);
    expect(supervisor.status('orm')?.status).toBe('stopped');
    expect(fake.children.every((child) => child.exited)).toBe(true);
  });

  it('stops a service waiting in backoff without starting it again', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ restart: { backoffInitialMs: 5_000, backoffMaxMs: 5_000 } }) })]));
    await supervisor.start('orm');
    const backoff = nextTransition(supervisor, 'orm', 'backoff');
    fake.children[0]!.exit(1);
    await backoff;
    expect(registry.get('orm')?.retryAfterS).toBe(3);
    await supervisor.stop('orm');
    expect(supervisor.status('orm')?.status).toBe('stopped');
    expect(fake.children).toHaveLength(1);
  });

  it('lets a stop cancel a start that is still waiting for health', async () => {
    setup();
    probeOk = false;
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    const starting = supervisor.start('orm');
    await waitForState(supervisor, 'orm', 'starting');
    await supervisor.stop('orm');
    await expectControlError(starting, 409, /cancelled/);
    expect(supervisor.status('orm')?.status).toBe('stopped');
  });

  it('starts a failed service again on an admin start (the start limit is reset)', async () => {
    setup();
    fake.onSpawn = (child) => child.exit(1);
    probeOk = false;
    await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ restart: { startLimitBurst: 1 } }) })]));
    await expectControlError(supervisor.start('orm'), 503, /failed to start/);
    expect(supervisor.status('orm')?.status).toBe('failed');
    fake.onSpawn = () => {};
    probeOk = true;
    await supervisor.start('orm');
    expect(supervisor.status('orm')?.status).toBe('running');
  });

  it('treats a service without health as running once spawned (with a PORT all the same) and starts autostart units in startAll', async () => {
    setup();
    await supervisor.apply(gatewayConfig([], [serviceConfig('ticker'), serviceConfig('manual', { process: processConfig({ autostart: false }) })]));
    await supervisor.startAll();
    expect(supervisor.status('ticker')).toMatchObject({ status: 'running', healthy: true });
    expect(supervisor.status('manual')?.status).toBe('stopped');
    expect(fake.children[0]!.request.env).toMatchObject({ PORT: '45678', SERVICE_NAME: 'ticker' });
    expect(fake.children[0]!.request.env).not.toHaveProperty('UPSTREAM_TICKER_URL');
  });

  it('starts only services a reload added, leaving one an admin stopped alone', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    await supervisor.startAll();
    await supervisor.stop('orm');
    const ticker = nextTransition(supervisor, 'ticker', 'running');
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')], [serviceConfig('ticker')]));
    await ticker;
    expect(supervisor.status('orm')?.status).toBe('stopped');
  });

  it('stops removed services and keeps the chosen port across a reload', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')], [serviceConfig('ticker')]));
    await supervisor.startAll();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    expect(supervisor.names()).toEqual(['orm']);
    expect(fake.children[1]!.exited).toBe(true);
    expect(registry.get('orm')?.target?.port).toBe('45678');
  });

  it('replaces a running upstream on restart without leaving running when the new process logs listening and is healthy', async () => {
    setup();
    fake.onSpawn = (child) => child.print('{"msg":"listening","port":45678}');
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    await supervisor.start('orm');
    const seen = recordTransitions(supervisor);
    await supervisor.restart('orm');
    expect(seen).toEqual([]);
    expect(fake.children[0]!.exited).toBe(true);
    expect(supervisor.status('orm')).toMatchObject({ status: 'running', pid: fake.children[1]!.pid, restarts: 1 });
    expect(registry.get('orm')?.availability).toBe('up');
  });

  it('ends running on the replacement when the old process crashes during a restart', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    await supervisor.start('orm');
    const seen = recordTransitions(supervisor);
    fake.onSpawn = (child) => {
      fake.children[0]!.exit(1);
      child.print('{"msg":"listening"}');
    };
    await supervisor.restart('orm');
    expect(seen).toEqual([]);
    expect(supervisor.status('orm')).toMatchObject({ status: 'running', pid: fake.children[1]!.pid, last_exit: { code: 1 } });
  });

  it('ends stopped when a stop cancels a restart after the old process crashed', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    await supervisor.start('orm');
    const spawned = new Promise<void>((resolve) => {
      fake.onSpawn = () => {
        fake.children[0]!.exit(1);
        resolve();
      };
    });
    const restarting = supervisor.restart('orm');
    await spawned;
    await supervisor.stop('orm');
    await expectControlError(restarting, 409, /cancelled/);
    expect(supervisor.status('orm')).toMatchObject({ status: 'stopped', pid: null });
  });

  it('lets a stop cancel a restart whose replacement is not ready yet, ending stopped', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm')]));
    await supervisor.start('orm');
    const restarting = supervisor.restart('orm');
    await new Promise<void>((resolve) => (fake.children.length > 1 ? resolve() : (fake.onSpawn = () => resolve())));
    await supervisor.stop('orm');
    await expectControlError(restarting, 409, /restart of orm was cancelled/);
    expect(supervisor.status('orm')?.status).toBe('stopped');
    expect(fake.children).toHaveLength(2);
    expect(fake.children.every((child) => child.exited)).toBe(true);
  });

  it('falls back to stop-then-start when the replacement never says it is listening', async () => {
    setup();
    await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ startTimeoutMs: 100 }) })]));
    await supervisor.start('orm');
    const seen = recordTransitions(supervisor);
    await supervisor.restart('orm');
    expect(seen.map((t) => t.to)).toEqual(['stopping', 'stopped', 'starting', 'running']);
    expect(fake.children).toHaveLength(3);
    expect(supervisor.status('orm')?.pid).toBe(fake.children[2]!.pid);
  });
});
