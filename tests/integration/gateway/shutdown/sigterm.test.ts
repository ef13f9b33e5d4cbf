import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';
import { eventually, request, startStubUpstream, type StubUpstream } from '../proxy/harness.ts';

describe('gateway process shutdown', () => {
  let dir: string;
  let stub: StubUpstream;
  let gateway: StartedProcess | null = null;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shutdown-'));
    stub = await startStubUpstream();
    await writeFile(join(dir, 'routes.yaml'), `upstreams:\n  stub: { url: ${stub.url} }\nroutes:\n  - { prefix: /api, upstream: stub, rewrite: "", auth: public, websocket: true }\n`);
  });
  afterEach(async () => {
    await gateway?.stop('SIGKILL');
    gateway = null;
    await stub.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string> = {}) => {
    gateway = await startProcess('gateway/main.ts', { ROUTES_FILE: join(dir, 'routes.yaml'), SHUTDOWN_GRACE_MS: '5000', ...env });
    return gateway;
  };

  it('loses nothing in flight on SIGTERM, refuses new connections, and exits 0', async () => {
    const gw = await start();
    const inFlight = Array.from({ length: 30 }, (_, i) => request(`${gw.url}/api/slow?ms=400&i=${i}`));
    await eventually(() => stub.seen.filter((r) => r.url.startsWith('/slow')).length === 30);
    const exited = gw.stop('SIGTERM');
    await eventually(() => gw.output.some((line) => line.includes('"shutting down"')));
    const results = await Promise.all(inFlight);
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    expect(results.map((r) => r.json().url)).toEqual(Array.from({ length: 30 }, (_, i) => `/slow?ms=400&i=${i}`));
    await expect(request(`${gw.url}/api/x`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(await exited).toBe(0);
  });

  it('closes open WebSockets with 1001 on SIGTERM', async () => {
    const gw = await start();
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/api/live`);
    await new Promise((resolve, reject) => {
      ws.once('message', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const exited = gw.stop('SIGTERM');
    expect(await closed).toBe(1001);
    expect(await exited).toBe(0);
  });

  it('cuts requests still running when the grace period is over, and still exits 0', async () => {
    const gw = await start({ SHUTDOWN_GRACE_MS: '200' });
    const stuck = request(`${gw.url}/api/slow?ms=10000`).catch((error: Error) => error);
    await eventually(() => stub.seen.some((r) => r.url.startsWith('/slow')));
    expect(await gw.stop('SIGTERM')).toBe(0);
    expect(await stuck).toBeInstanceOf(Error);
  });

  it('refuses to start on an invalid routes file, printing file:line problems', async () => {
    const file = join(dir, 'routes.yaml');
    await writeFile(file, 'upstreams: {}\nroutes:\n  - { prefix: /x, upstream: ghost }\n');
    const result = spawnSync(process.execPath, ['gateway/main.ts'], { env: { ...process.env, ROUTES_FILE: file, PORT: '0' }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${file}:3:29: routes[0].upstream: unknown upstream "ghost" (expected one of: none defined)`);
  });
});
