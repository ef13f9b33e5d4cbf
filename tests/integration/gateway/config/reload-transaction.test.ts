// A reload is one transaction (issue 14 item 0): everything is prepared first, so a
// part that fails leaves the whole running config live, and the log says so; a good
// reload swaps the route table, the registry and the supervisor's and the monitor's
// view together. The supervisor is real; a port that cannot be picked is the failure.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reloadTransaction, type ReloadParticipant } from '../../../../gateway/config/reload-transaction.ts';
import { ConfigReloader } from '../../../../gateway/config/reloader.ts';
import type { GatewayConfig } from '../../../../gateway/config/types.ts';
import { createHealthMonitor, type HealthMonitor } from '../../../../gateway/health/monitor.ts';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';
import { planStaticUpstreams } from '../../../../gateway/proxy/static-targets.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const base = (stub: StubUpstream) => `upstreams:
  stub: { url: ${stub.url} }
routes:
  - { prefix: /old, upstream: stub, rewrite: "", auth: public }
`;

describe('reload as one transaction', () => {
  let dir: string;
  let file: string;
  let stub: StubUpstream;
  let other: StubUpstream;
  let gw: TestGateway;
  let supervisor: AppSupervisor;
  let monitor: HealthMonitor;
  let reloader: ConfigReloader;
  let portFails: boolean;
  let lines: Array<Record<string, unknown>>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reload-tx-'));
    file = join(dir, 'routes.yaml');
    stub = await startStubUpstream();
    other = await startStubUpstream();
    await writeFile(file, base(stub));
    gw = await startTestGateway({ yaml: base(stub) });
    lines = [];
    const logger = createGatewayLogger({
      level: 'info',
      destination: new Writable({
        write: (chunk, _e, done) => {
          for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
          done();
        },
      }),
    });
    portFails = false;
    supervisor = createSupervisor({
      registry: gw.registry,
      logger,
      pickPort: async () => {
        if (portFails) throw new Error('no free port');
        return 1;
      },
    });
    await supervisor.apply(gw.config);
    monitor = createHealthMonitor({ supervisor, registry: gw.registry, lifecycle: gw.lifecycle, logger });
    monitor.apply(gw.config);
    let current: GatewayConfig = gw.config;
    const participants: ReloadParticipant[] = [
      { name: 'route table', prepare: (next) => gw.gateway.prepareConfig(next) },
      { name: 'static upstreams', prepare: (next) => planStaticUpstreams(gw.registry, next, current) },
      { name: 'supervisor', prepare: (next) => supervisor.prepare(next) },
      { name: 'health monitor', prepare: (next) => () => monitor.apply(next) },
      { name: 'running config', prepare: (next) => () => void (current = next) },
    ];
    reloader = new ConfigReloader({ file, debounceMs: 20, logger, apply: reloadTransaction(participants), onReloaded: (error, _c, locations) => gw.lifecycle.recordReload(error, locations) });
    await reloader.prime();
  });
  afterEach(async () => {
    reloader.close();
    monitor.stop();
    await supervisor.stopAll();
    await gw.close();
    await stub.close();
    await other.close();
    await rm(dir, { recursive: true, force: true });
  });

  const status = async (path: string) => (await request(`${gw.url}${path}`)).status;
  // A new static upstream with a route, and a supervised one (never started: no startAll).
  const next = () => `upstreams:
  stub: { url: ${stub.url} }
  other: { url: ${other.url} }
  worker:
    process: { command: [node, -e, "0"] }
routes:
  - { prefix: /old, upstream: stub, rewrite: "", auth: public }
  - { prefix: /new, upstream: other, rewrite: "", auth: public }
`;

  it('leaves the old route table and registry live when a later step fails, and says so', async () => {
    portFails = true;
    await writeFile(file, next());
    const outcome = await reloader.reload('test');
    expect(outcome.status).toBe('refused');
    // The route table is built before the supervisor fails, yet never swapped in.
    expect(await status('/new/x')).toBe(404);
    expect(await status('/old/x')).toBe(200);
    expect(gw.registry.get('other')).toBeUndefined();
    expect(supervisor.names()).not.toContain('worker');
    expect(monitor.targets().map((target) => target.name)).toEqual(['stub']);
    expect(lines.find((line) => line.msg === 'routes file could not be applied; keeping the running config')).toBeDefined();
    expect(gw.lifecycle.reload).toMatchObject({ failures: 1 });
    expect(gw.lifecycle.reload.lastError).toContain('no free port');
  });

  it('swaps everything on a good reload', async () => {
    await writeFile(file, next());
    const outcome = await reloader.reload('test');
    expect(outcome.status).toBe('applied');
    expect(await status('/new/x')).toBe(200);
    expect(gw.registry.get('other')?.target?.href).toBe(new URL(other.url).href);
    expect(supervisor.names()).toContain('worker');
    expect(monitor.targets().map((target) => target.name).sort()).toEqual(['other', 'stub', 'worker']);
    expect(gw.lifecycle.reload).toMatchObject({ failures: 0, lastError: null });
  });
});
