import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { eventually, request, startStubUpstream, type StubUpstream } from '../proxy/harness.ts';

describe('gateway process reload on SIGHUP', () => {
  let dir: string;
  let stub: StubUpstream;
  let gateway: StartedProcess | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sighup-'));
    stub = await startStubUpstream();
  });
  afterEach(async () => {
    await gateway?.stop('SIGKILL');
    gateway = null;
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('re-reads routes.yaml on SIGHUP (the file watcher is slowed down to prove it was the signal)', async () => {
    const file = join(dir, 'routes.yaml');
    const routes = (prefix: string) => `upstreams:\n  stub: { url: ${stub.url} }\nroutes:\n  - { prefix: ${prefix}, upstream: stub, auth: public }\n`;
    await writeFile(file, routes('/before'));
    gateway = await startProcess('gateway/main.ts', { ROUTES_FILE: file, RELOAD_DEBOUNCE_MS: '600000' });
    expect((await request(`${gateway.url}/before/x`)).status).toBe(200);
    await writeFile(file, routes('/after'));
    gateway.child.kill('SIGHUP');
    await eventually(async () => (await request(`${gateway!.url}/after/x`)).status === 200);
    expect((await request(`${gateway.url}/before/x`)).status).toBe(404);
    expect(gateway.output.some((line) => line.includes('"reason":"SIGHUP"') && line.includes('routes reloaded'))).toBe(true);
  });
});
