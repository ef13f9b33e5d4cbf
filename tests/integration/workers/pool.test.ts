// The worker pool with real processes (WORKERS=2): connections spread over both
// workers, a reload reaches both or neither, a crashed or hung worker is replaced
// without touching the other's connections, SIGTERM drains both. With WORKERS=1
// the worker accepts its connections itself, without the primary.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isAlive } from '../../fixtures/processes/wait.ts';
import { startStubUpstream, type StubUpstream } from '../gateway/proxy/harness.ts';
import { eventually, hitEveryWorker, logged, request, startWorkersGateway, stopAll, type WorkersGateway } from './harness.ts';

let stub: StubUpstream;
const routes = (extra = '') => `upstreams:\n  stub: { url: ${stub.url} }\nroutes:\n  - { prefix: /api, upstream: stub, rewrite: "", auth: public, websocket: true }\n${extra}`;
const V2 = '  - { prefix: /v2, upstream: stub, rewrite: "/two", auth: public }\n';

beforeEach(async () => {
  stub = await startStubUpstream();
});
afterEach(async () => {
  await stopAll();
  await stub.close();
});

describe('a gateway with two workers', () => {
  it('spreads connections over both workers, which share one port and log their own pids', async () => {
    const gateway = await startWorkersGateway(routes());
    const workers = gateway.workerPids();
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(gateway.primaryPid);
    const listening = gateway.lines().filter((line) => line.msg === 'listening');
    expect(listening).toHaveLength(1);
    expect(listening[0]!.pid).toBe(gateway.primaryPid);
    const answers = await hitEveryWorker(gateway, () => '/api/spread');
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    await eventually(() => gateway.servedBy('/api/spread').length === 2);
    expect(gateway.servedBy('/api/spread').sort()).toEqual([...workers].sort());
  }, 60_000);

  it('starts every worker with V8’s allocation-site pretenuring off (gateway/cluster/worker-node-flags.ts), the primary without it', async () => {
    const gateway = await startWorkersGateway(routes());
    const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    for (const worker of gateway.workerPids()) expect(argvOf(worker)).toContain('--no-allocation-site-pretenuring');
    expect(argvOf(gateway.primaryPid)).not.toContain('--no-allocation-site-pretenuring');
  }, 60_000);

  it('swaps the route table of every worker on a reload', async () => {
    const gateway = await startWorkersGateway(routes());
    expect((await gateway.get('/v2/x')).status).toBe(404);
    await writeFile(gateway.routesFile, routes(V2));
    gateway.process.child.kill('SIGHUP');
    await logged(gateway, (line) => line.msg === 'routes reloaded');
    const answers = await hitEveryWorker(gateway, () => '/v2/reloaded');
    expect(answers.map((answer) => [answer.status, answer.json().url])).toEqual(Array(8).fill([200, '/two/reloaded']));
    await eventually(() => gateway.servedBy('/v2/reloaded').length === 2);
  }, 60_000);

  it('reloads once for a burst of SIGHUPs', async () => {
    const gateway = await startWorkersGateway(routes(), { RELOAD_DEBOUNCE_MS: '600000' });
    await writeFile(gateway.routesFile, routes(V2));
    for (let i = 0; i < 5; i++) gateway.process.child.kill('SIGHUP');
    await logged(gateway, (line) => line.msg === 'routes reloaded');
    // A marker: one more change and signal; every reload the burst caused is logged before it.
    await writeFile(gateway.routesFile, routes());
    gateway.process.child.kill('SIGHUP');
    await eventually(() => gateway.lines().filter((line) => line.msg === 'routes reloaded').length === 2, 10_000);
    expect(gateway.lines().filter((line) => line.msg === 'routes reloaded')).toHaveLength(2);
    expect((await gateway.get('/v2/x')).status).toBe(404);
  }, 60_000);

  it('keeps the old config on every worker when one worker cannot prepare the new one', async () => {
    // A stopped worker answers nothing: its prepare times out, so no worker commits.
    // (The file watcher is slowed down so that only the SIGHUP reloads: it would retry the changed file.)
    const gateway = await startWorkersGateway(routes(), { WORKER_HEARTBEAT_TIMEOUT_MS: '600000', RELOAD_DEBOUNCE_MS: '600000' });
    const [stopped, other] = gateway.workerPids() as [number, number];
    process.kill(stopped, 'SIGSTOP');
    try {
      await writeFile(gateway.routesFile, routes(V2));
      gateway.process.child.kill('SIGHUP');
      const refused = await logged(gateway, (line) => line.msg === 'routes file could not be applied; keeping the running config');
      expect(JSON.stringify(refused)).toContain('not every worker could prepare it');
    } finally {
      process.kill(stopped, 'SIGCONT');
    }
    expect(gateway.lines().some((line) => line.msg === 'routes reloaded')).toBe(false);
    const answers = await hitEveryWorker(gateway, () => '/v2/refused');
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(404));
    await eventually(() => gateway.servedBy('/v2/refused').length === 2);
    expect(gateway.servedBy('/v2/refused').sort()).toEqual([stopped, other].sort());
  }, 60_000);

  it('replaces a crashed worker without dropping the other worker’s connections', async () => {
    const gateway = await startWorkersGateway(routes());
    const before = gateway.workerPids();
    // One WebSocket per worker (round-robin hands consecutive connections to alternate workers).
    const sockets = await Promise.all([0, 1, 2, 3].map((i) => openSocket(`${gateway.url.replace('http', 'ws')}/api/live${i}`)));
    await eventually(() => [0, 1, 2, 3].every((i) => gateway.servedBy(`/api/live${i}`).length === 1));
    const owner = (i: number) => gateway.servedBy(`/api/live${i}`)[0]!;
    const victim = owner(0);
    const survivors = sockets.filter((_, i) => owner(i) !== victim);
    expect(survivors.length).toBeGreaterThan(0);
    process.kill(victim, 'SIGKILL');
    await logged(gateway, (line) => typeof line.msg === 'string' && line.msg.includes(`(pid ${victim}) exited`));
    // The other worker's sockets are still open and still answer.
    for (const ws of survivors) {
      expect(ws.readyState).toBe(WebSocket.OPEN);
      const echo = new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
      ws.send('still-here');
      expect(await echo).toBe('echo:still-here');
    }
    await eventually(() => gateway.workerPids().length === 2 && !gateway.workerPids().includes(victim), 30_000);
    expect(gateway.workerPids().filter((pid) => before.includes(pid))).toHaveLength(1);
    const answers = await hitEveryWorker(gateway, () => '/api/after-crash');
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    for (const ws of sockets) ws.terminate();
  }, 60_000);

  it('reports a hung worker on /health/check, replaces it, and is healthy again', async () => {
    const gateway = await startWorkersGateway(routes(), { WORKER_HEARTBEAT_TIMEOUT_MS: '3000' });
    const [hung] = gateway.workerPids() as [number, number];
    await eventually(async () => (await gateway.get('/health/check')).status === 200, 20_000);
    process.kill(hung, 'SIGSTOP');
    // A check may land on the stopped worker: such a request gets no answer and is given up.
    const check = () => withTimeout(gateway.get('/health/check'), 1000);
    let seen503: { failing?: Record<string, string> } | null = null;
    await eventually(async () => {
      const answer = await check();
      if (answer?.status === 503) seen503 = answer.json();
      return seen503 !== null;
    }, 20_000);
    expect(seen503!.failing?.workers).toMatch(/worker \d (is not answering heartbeats|is being replaced|is starting)/);
    await logged(gateway, (line) => line.pid === gateway.primaryPid && typeof line.reason === 'string' && line.reason.startsWith('no heartbeat answer'));
    await eventually(() => !isAlive(hung), 10_000);
    await eventually(async () => (await check())?.status === 200, 30_000);
    // The replacement is read from the primary's log, which may reach stdout a moment after the 200.
    await eventually(() => gateway.workerPids().length === 2 && !gateway.workerPids().includes(hung), 10_000);
  }, 90_000);

  it('gives a worker that starts during a reload the reloaded config', async () => {
    const gateway = await startWorkersGateway(routes());
    const [victim] = gateway.workerPids() as [number, number];
    process.kill(victim, 'SIGKILL');
    await logged(gateway, (line) => typeof line.msg === 'string' && line.msg.includes(`(pid ${victim}) exited`));
    // The replacement is being forked now (it takes a while to load); reload meanwhile.
    await writeFile(gateway.routesFile, routes(V2));
    gateway.process.child.kill('SIGHUP');
    await logged(gateway, (line) => line.msg === 'routes reloaded');
    await eventually(() => gateway.workerPids().length === 2 && !gateway.workerPids().includes(victim), 30_000);
    const lines = gateway.lines();
    const reloadedAt = lines.findIndex((line) => line.msg === 'routes reloaded');
    const replacementAt = lines.findIndex((line) => typeof line.msg === 'string' && /^worker \d serving/.test(line.msg) && line.worker_pid === gateway.workerPids().find((pid) => pid !== victim && !lines.slice(0, reloadedAt).some((l) => l.worker_pid === pid)));
    // The scenario happened: the replacement was serving only after the reload was committed.
    expect(replacementAt).toBeGreaterThan(reloadedAt);
    const answers = await hitEveryWorker(gateway, () => '/v2/mid-restart');
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    await eventually(() => gateway.servedBy('/v2/mid-restart').length === 2);
  }, 60_000);

  it('drains both workers on SIGTERM: every request in flight is answered, then it exits 0', async () => {
    const gateway = await startWorkersGateway(routes(), { SHUTDOWN_GRACE_MS: '5000' });
    const inFlight = Array.from({ length: 10 }, (_, i) => request(`${gateway.url}/api/slow?ms=500&i=${i}`));
    await eventually(() => stub.seen.filter((seen) => seen.url.startsWith('/slow')).length === 10);
    const workers = gateway.workerPids();
    const exited = gateway.process.stop('SIGTERM');
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(await exited).toBe(0);
    expect(gateway.lines().filter((line) => line.msg === 'worker draining').map((line) => line.pid).sort()).toEqual([...workers].sort());
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
  }, 60_000);
});

describe('a gateway with one worker', () => {
  it('serves new connections while the primary is stopped: the worker accepts them itself', async () => {
    const gateway = await startWorkersGateway(routes(), { WORKERS: '1' });
    expect(gateway.workerPids()).toHaveLength(1);
    // With the primary handing connections over (round-robin), a stopped primary
    // would leave this new connection waiting for it.
    process.kill(gateway.primaryPid, 'SIGSTOP');
    try {
      const answer = await gateway.get('/api/while-primary-stopped');
      expect(answer.status).toBe(200);
      expect(answer.json().url).toBe('/while-primary-stopped');
    } finally {
      process.kill(gateway.primaryPid, 'SIGCONT');
    }
    await eventually(() => gateway.servedBy('/api/while-primary-stopped').length === 1);
    expect(gateway.servedBy('/api/while-primary-stopped')).toEqual(gateway.workerPids());
  }, 60_000);
});

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', () => resolve(ws));
    ws.once('error', reject);
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise.catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
