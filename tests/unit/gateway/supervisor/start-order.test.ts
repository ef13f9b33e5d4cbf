// startAll's order on a manual clock: the upstreams first, the route-less services
// (collectors) once the upstreams are running, and never later than
// SUPERVISOR_POLICY.servicesStartAfterMs when an upstream is slow to come up.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { SUPERVISOR_POLICY } from '../../../../gateway/supervisor/policy.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { gatewayConfig, serviceConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';
import { createFakeSpawner, type FakeSpawner } from '../../../fixtures/processes/fake-spawner.ts';
import { ManualClock } from '../../../fixtures/processes/manual-clock.ts';
import { nextTransition } from '../../../fixtures/processes/wait.ts';

let supervisor: AppSupervisor;
let fake: FakeSpawner;
let clock: ManualClock;
let ormHealthy: boolean;

afterEach(async () => {
  await supervisor.stopAll();
});

async function setup(): Promise<void> {
  fake = createFakeSpawner();
  clock = new ManualClock();
  ormHealthy = false;
  supervisor = createSupervisor({
    registry: new UpstreamRegistry(),
    logger: pino({ level: 'silent' }),
    spawner: fake.spawner,
    clock,
    probe: async () => (ormHealthy ? { ok: true, status: 200, latencyMs: 1, error: null, dependencies: {} } : { ok: false, status: null, latencyMs: 1, error: 'connection refused', dependencies: {} }),
    pickPort: async () => 41_000,
  });
  await supervisor.apply(gatewayConfig([upstreamConfig('orm')], [serviceConfig('ticker')]));
}

/** Lets pending promise callbacks (probes, spawns) run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function spawnedNames(): string[] {
  return fake.children.map((child) => child.request.name);
}

describe('supervisor startAll order', () => {
  it('starts the services once the upstreams are running, not beside them', async () => {
    await setup();
    const ormStarting = nextTransition(supervisor, 'orm', 'starting');
    const all = supervisor.startAll();
    await ormStarting;
    for (let poll = 0; poll < 3; poll++) {
      clock.advance(SUPERVISOR_POLICY.readinessPollMs);
      await settle();
    }
    expect(spawnedNames()).toEqual(['orm']);
    expect(supervisor.status('ticker')?.status).toBe('stopped');

    const tickerStarting = nextTransition(supervisor, 'ticker', 'starting');
    ormHealthy = true;
    clock.advance(SUPERVISOR_POLICY.readinessPollMs);
    await tickerStarting;
    expect(supervisor.status('orm')?.status).toBe('running');
    expect(spawnedNames()).toEqual(['orm', 'ticker']);
    clock.advance(SUPERVISOR_POLICY.settleWithoutHealthMs);
    await all;
    expect(supervisor.status('ticker')?.status).toBe('running');
  });

  it('does not hold the services back longer than servicesStartAfterMs for an upstream that stays unhealthy', async () => {
    await setup();
    const ormStarting = nextTransition(supervisor, 'orm', 'starting');
    void supervisor.startAll();
    await ormStarting;
    await settle();
    clock.advance(SUPERVISOR_POLICY.servicesStartAfterMs - 1);
    await settle();
    expect(spawnedNames()).toEqual(['orm']);

    const tickerStarting = nextTransition(supervisor, 'ticker', 'starting');
    clock.advance(1);
    await tickerStarting;
    expect(supervisor.status('orm')?.status).toBe('starting');
    expect(spawnedNames()).toEqual(['orm', 'ticker']);
  });

  it('starts no service after stopAll came first', async () => {
    await setup();
    const ormStarting = nextTransition(supervisor, 'orm', 'starting');
    const all = supervisor.startAll();
    await ormStarting;
    await supervisor.stopAll();
    clock.advance(SUPERVISOR_POLICY.servicesStartAfterMs);
    await all;
    expect(spawnedNames()).toEqual(['orm']);
    expect(supervisor.status('ticker')?.status).toBe('stopped');
  });
});
