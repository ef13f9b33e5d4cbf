// The supervisor's edges with real child processes (tests/fixtures/processes):
// kill -9, a command that exits at once, one that never gets healthy, one that
// ignores SIGTERM, and concurrent control. Short ms-scale policies keep it fast.
import { pino } from 'pino';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { ServiceControlError } from '../../../../gateway/supervisor/types.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { fixturePath, gatewayConfig, processConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { isAlive, nextTransition } from '../../../fixtures/processes/wait.ts';

let supervisor: AppSupervisor;
let registry: UpstreamRegistry;

async function supervise(...upstreams: ReturnType<typeof upstreamConfig>[]): Promise<void> {
  registry = new UpstreamRegistry();
  supervisor = createSupervisor({ registry, logger: pino({ level: 'silent' }) });
  await supervisor.apply(gatewayConfig(upstreams));
}

afterEach(async () => {
  await supervisor?.stopAll();
});

function fixture(env: Record<string, string> = {}, overrides: Parameters<typeof processConfig>[0] = {}) {
  return processConfig({ command: ['node', fixturePath('http-service.ts')], env, ...overrides });
}

describe('supervisor with real processes', () => {
  it('brings a kill -9ed upstream back within its backoff, marking it down at once', async () => {
    await supervise(upstreamConfig('orm', { process: fixture() }));
    await supervisor.start('orm');
    const target = registry.get('orm')!.target!;
    const first = await request(target).then((r) => r.body.json() as Promise<{ pid: number }>);
    const pid = supervisor.status('orm')!.pid!;
    expect(first.pid).toBe(pid);

    const backoff = nextTransition(supervisor, 'orm', 'backoff');
    const running = nextTransition(supervisor, 'orm', 'running');
    process.kill(pid, 'SIGKILL');
    await backoff;
    // From here the proxy answers 503 + Retry-After without trying the dead port.
    expect(registry.get('orm')).toMatchObject({ availability: 'down' });
    expect(registry.get('orm')?.reason).toMatch(/killed by SIGKILL/);
    await running;
    const second = await request(target).then((r) => r.body.json() as Promise<{ pid: number }>);
    expect(second.pid).not.toBe(pid);
    expect(supervisor.status('orm')).toMatchObject({ status: 'running', restarts: 1, last_exit: { signal: 'SIGKILL' } });
  });

  it('fails a command that exits at once after the start limit and keeps its last output', async () => {
    await supervise(upstreamConfig('broken', { process: processConfig({ command: ['node', fixturePath('exit-at-once.ts')], restart: { startLimitBurst: 3 } }) }));
    const failed = nextTransition(supervisor, 'broken', 'failed');
    const error = await supervisor.start('broken').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceControlError);
    expect((error as ServiceControlError).status).toBe(503);
    expect((await failed).reason).toMatch(/start limit reached .*exited with code 3/);
    // stdout and stderr are separate pipes: their relative order is not guaranteed.
    expect(supervisor.logs('broken', 2).map((entry) => entry.msg).sort()).toEqual(['booting fixture', 'fatal: cannot open config']);
    expect(supervisor.status('broken')).toMatchObject({ status: 'failed', restarts: 2, last_exit: { code: 3 } });
  });

  it('fails a start that never becomes healthy at the start timeout instead of hanging', async () => {
    await supervise(upstreamConfig('sick', { process: fixture({ HEALTH_MODE: 'never' }, { startTimeoutMs: 800, restart: { policy: 'never' } }) }));
    const error = await supervisor.start('sick').catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/not healthy within 800 ms/);
    expect(supervisor.status('sick')).toMatchObject({ status: 'failed', pid: null });
  });

  it('treats a hanging health endpoint during start as a failed probe', async () => {
    await supervise(upstreamConfig('hang', { process: fixture({ HEALTH_MODE: 'hang' }, { startTimeoutMs: 800, restart: { policy: 'never' } }) }));
    await expect(supervisor.start('hang')).rejects.toThrow(/not healthy within 800 ms/);
  });

  it('kills a child that ignores SIGTERM after the stop grace', async () => {
    await supervise(upstreamConfig('stubborn', { process: fixture({ IGNORE_SIGTERM: '1' }, { stopGraceMs: 300 }) }));
    await supervisor.start('stubborn');
    const pid = supervisor.status('stubborn')!.pid!;
    await supervisor.stop('stubborn');
    expect(isAlive(pid)).toBe(false);
    expect(supervisor.status('stubborn')).toMatchObject({ status: 'stopped', last_exit: { signal: 'SIGKILL' } });
  });

  it('serialises concurrent control calls and ends in a consistent state', async () => {
    await supervise(upstreamConfig('orm', { process: fixture() }));
    const outcomes = await Promise.allSettled([supervisor.start('orm'), supervisor.restart('orm'), supervisor.start('orm'), supervisor.stop('orm'), supervisor.restart('orm')]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const status = supervisor.status('orm')!;
    expect(status.status).toBe('running');
    expect(isAlive(status.pid!)).toBe(true);
    expect(registry.get('orm')?.availability).toBe('up');
  });

  it('captures stdout and stderr lines into the per-service buffer', async () => {
    await supervise(upstreamConfig('orm', { process: fixture() }));
    await supervisor.start('orm');
    const entries = supervisor.logs('orm', 1000);
    const pid = supervisor.status('orm')!.pid;
    expect(entries.find((entry) => entry.msg === 'listening')).toMatchObject({ stream: 'stdout', level: 'info', pid, generation: 1 });
    expect(entries.find((entry) => entry.msg === 'fixture stderr line')).toMatchObject({ stream: 'stderr', level: 'warn', pid, generation: 1, fields: {} });
  });

  it('tells the old process’s output from the new one’s after a restart (pid and generation)', async () => {
    await supervise(upstreamConfig('orm', { process: fixture() }));
    await supervisor.start('orm');
    const first = supervisor.status('orm')!.pid;
    await supervisor.restart('orm');
    const second = supervisor.status('orm')!.pid;
    const listening = supervisor.logs('orm', 1000).filter((entry) => entry.msg === 'listening');
    expect(listening.map((entry) => [entry.generation, entry.pid])).toEqual([
      [1, first],
      [2, second],
    ]);
  });
});
