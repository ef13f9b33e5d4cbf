// Backoff, cap and reset timings of the state machine on a manual clock: exact
// delays without sleeping and without real processes.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { gatewayConfig, processConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { createFakeSpawner, type FakeSpawner } from '../../../fixtures/processes/fake-spawner.ts';
import { ManualClock } from '../../../fixtures/processes/manual-clock.ts';
import { nextTransition } from '../../../fixtures/processes/wait.ts';

let supervisor: AppSupervisor;
let fake: FakeSpawner;
let clock: ManualClock;
let registry: UpstreamRegistry;

afterEach(async () => {
  await supervisor.stopAll();
});

async function setup(): Promise<void> {
  fake = createFakeSpawner();
  clock = new ManualClock();
  registry = new UpstreamRegistry();
  supervisor = createSupervisor({
    registry,
    logger: pino({ level: 'silent' }),
    spawner: fake.spawner,
    clock,
    random: () => 1, // no jitter: the delay is the full exponential step
    probe: async () => ({ ok: true, status: 200, latencyMs: 1, error: null, dependencies: {} }),
    pickPort: async () => 41_000,
  });
  const restart = { backoffInitialMs: 1_000, backoffMaxMs: 4_000, resetAfterMs: 60_000, startLimitBurst: 100 };
  await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ restart }) })]));
  await supervisor.start('orm');
}

/** Crashes the current child and returns the backoff delay the supervisor chose. */
async function crash(): Promise<number> {
  const backoff = nextTransition(supervisor, 'orm', 'backoff');
  fake.children.at(-1)!.exit(1);
  const reason = (await backoff).reason;
  return Number(/restarting in (\d+) ms/.exec(reason)![1]);
}

async function waitOut(delay: number): Promise<void> {
  clock.advance(delay - 1);
  expect(supervisor.status('orm')?.status).toBe('backoff');
  const running = nextTransition(supervisor, 'orm', 'running');
  clock.advance(1);
  await running;
}

describe('backoff timing', () => {
  it('doubles the delay on each crash up to the cap and advertises it as Retry-After', async () => {
    await setup();
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const delay = await crash();
      delays.push(delay);
      expect(registry.get('orm')?.retryAfterS).toBe(Math.ceil(delay / 1000));
      await waitOut(delay);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(supervisor.status('orm')?.restarts).toBe(4);
  });

  it('starts the sequence over after reset_after of stable running', async () => {
    await setup();
    await waitOut(await crash());
    await waitOut(await crash());
    clock.advance(60_000);
    expect(await crash()).toBe(1_000);
  });

  it('reports uptime from the injected clock', async () => {
    await setup();
    clock.advance(42_000);
    expect(supervisor.status('orm')?.uptime_s).toBe(42);
  });
});
