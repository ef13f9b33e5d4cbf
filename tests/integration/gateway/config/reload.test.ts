import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigReloader } from '../../../../gateway/config/reloader.ts';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';
import { syncStaticUpstreams } from '../../../../gateway/proxy/static-targets.ts';
import { Writable } from 'node:stream';
import { eventually, request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const routes = (stub: StubUpstream, extra = '') => `upstreams:
  stub: { url: ${stub.url} }
routes:
  - { prefix: /old, upstream: stub, rewrite: "", auth: public }
${extra}`;

describe('hot reload', () => {
  let dir: string;
  let file: string;
  let stub: StubUpstream;
  let gw: TestGateway;
  let reloader: ConfigReloader;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reload-'));
    file = join(dir, 'routes.yaml');
    stub = await startStubUpstream();
    await writeFile(file, routes(stub));
    gw = await startTestGateway({ yaml: routes(stub) });
    let current = gw.config;
    reloader = new ConfigReloader({
      file,
      debounceMs: 20,
      logger: createGatewayLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }),
      apply: (next) => {
        gw.gateway.applyConfig(next);
        syncStaticUpstreams(gw.registry, next, current);
        current = next;
      },
      onReloaded: (error, _config, locations) => gw.lifecycle.recordReload(error, locations),
    });
    await reloader.prime();
    reloader.start();
  });
  afterEach(async () => {
    reloader.close();
    await gw.close();
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  });

  const status = async (path: string) => (await request(`${gw.url}${path}`)).status;

  it('serves a route added by editing the file in place', async () => {
    expect(await status('/new/x')).toBe(404);
    await writeFile(file, routes(stub, '  - { prefix: /new, upstream: stub, auth: public }\n'));
    await eventually(async () => (await status('/new/x')) === 200);
    expect(gw.lifecycle.reload).toMatchObject({ count: 1, failures: 0, lastError: null });
  });

  it('follows an editor that saves by renaming a temp file over the original', async () => {
    const temp = join(dir, '.routes.yaml.swp');
    await writeFile(temp, routes(stub, '  - { prefix: /renamed, upstream: stub, auth: public }\n'));
    await rename(temp, file);
    await eventually(async () => (await status('/renamed/x')) === 200);
    // And keeps watching after the rename.
    await writeFile(file, routes(stub, '  - { prefix: /again, upstream: stub, auth: public }\n'));
    await eventually(async () => (await status('/again/x')) === 200);
  });

  it('refuses an invalid file with check-style errors and keeps serving the old routes', async () => {
    await writeFile(file, routes(stub, '  - { prefix: /bad, upstream: nope }\n'));
    await eventually(() => gw.lifecycle.reload.failures === 1);
    expect(gw.lifecycle.reload.lastError).toBe(`${file}:5:31: routes[1].upstream: unknown upstream "nope" (expected one of: stub)`);
    expect(gw.lifecycle.reload.lastErrorLocations).toEqual([`${basename(file)}:5:31: routes[1].upstream`]);
    expect(await status('/old/x')).toBe(200);
    expect(await status('/bad/x')).toBe(404);
    // Fixing the file clears the error.
    await writeFile(file, routes(stub, '  - { prefix: /fixed, upstream: stub, auth: public }\n'));
    await eventually(async () => (await status('/fixed/x')) === 200);
    expect(gw.lifecycle.reload.lastError).toBeNull();
  });

  it('does not reload for a write that changes nothing', async () => {
    await writeFile(file, routes(stub));
    // Absence of an event: give the (20 ms) debounce ample time, then also make a real change.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gw.lifecycle.reload.count).toBe(0);
    await writeFile(file, routes(stub, '  - { prefix: /changed, upstream: stub, auth: public }\n'));
    await eventually(() => gw.lifecycle.reload.count === 1);
  });

  it('reloads on demand (SIGHUP) even when the content did not change', async () => {
    const outcome = await reloader.reload('SIGHUP');
    expect(outcome.status).toBe('applied');
    expect(gw.lifecycle.reload.count).toBe(1);
  });

  it('lets an in-flight request finish on the route it matched when a reload removes that route', async () => {
    const slow = request(`${gw.url}/old/slow?ms=300`);
    await eventually(() => stub.seen.length === 1);
    await writeFile(file, `upstreams:\n  stub: { url: ${stub.url} }\nroutes:\n  - { prefix: /other, upstream: stub, auth: public }\n`);
    await eventually(async () => (await status('/old/x')) === 404);
    expect((await slow).status).toBe(200);
  });
});
