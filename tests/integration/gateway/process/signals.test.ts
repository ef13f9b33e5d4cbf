// Which process gets which signal, with real processes: `npm start` leaves no
// orphaned gateway when npm goes away; a gateway whose terminal closes stops like
// a foreground program; a SIGHUP while the terminal is still there, or to a
// gateway started as a service (no controlling terminal), reloads routes.yaml.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectLines, createWorkspace, isRunning, parentOf, readPid, ROOT, until, type Workspace } from './harness.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function workspace(): Workspace {
  const ws = createWorkspace();
  cleanups.push(() => ws.remove());
  return ws;
}

function track(child: ChildProcess): ChildProcess {
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** The gateway's pid once it wrote DATA_DIR/gateway.pid; killed at the end of the test if still there. */
async function gatewayPid(ws: Workspace): Promise<number> {
  await until(() => readPid(ws.pidFile) !== null, 'the gateway wrote its pid file');
  const pid = readPid(ws.pidFile)!;
  cleanups.push(() => {
    if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  });
  return pid;
}

describe('gateway signals', () => {
  it('`npm start` runs the gateway as npm’s own child, and a SIGHUP that kills npm does not leave the gateway orphaned', async () => {
    const ws = workspace();
    const npm = track(spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...process.env, ...ws.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const log = collectLines(npm);
    const pid = await gatewayPid(ws);
    // exec-style start: no shell in between, so npm's forwarded SIGINT/SIGTERM reach the gateway.
    expect(parentOf(pid)).toBe(npm.pid);
    process.kill(npm.pid!, 'SIGHUP');
    await once(npm, 'exit');
    await until(() => !isRunning(pid), 'the gateway stopped after npm went away');
    expect(log.lines.some((line) => line.includes('is gone: stopping'))).toBe(true);
    expect(existsSync(ws.pidFile)).toBe(false);
  });

  it('a second SIGINT while it drains (Ctrl-C under `npm start` delivers the terminal’s and npm’s) does not cut the graceful stop short', async () => {
    const ws = workspace();
    // An upstream that never answers keeps one request in flight, so the drain lasts until the grace ends.
    const requests: ServerResponse[] = [];
    // (The monitor's health probes reach it too: only the proxied request counts.)
    const slow = createServer((req, res) => {
      if (req.url === '/slow/x') requests.push(res);
      else res.destroy();
    });
    slow.listen(0, '127.0.0.1');
    await once(slow, 'listening');
    cleanups.push(() => {
      for (const res of requests) res.destroy();
      slow.close();
    });
    writeFileSync(ws.routesFile, `upstreams:\n  slow: { url: "http://127.0.0.1:${(slow.address() as AddressInfo).port}" }\nroutes:\n  - { prefix: /slow, upstream: slow, auth: public }\n`);
    const gateway = track(spawn(process.execPath, ['gateway/main.ts'], { cwd: ROOT, env: { ...process.env, ...ws.env, SHUTDOWN_GRACE_MS: '3000' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const log = collectLines(gateway);
    const port = JSON.parse(await log.waitFor((line) => line.includes('"msg":"listening"'))).port as number;
    let answered = 'no answer yet';
    const inFlight = fetch(`http://127.0.0.1:${port}/slow/x`).then(
      async (response) => void (answered = `${response.status} ${await response.text()}`),
      (error: Error) => void (answered = error.message),
    );
    await until(() => requests.length === 1, 'the request reached the slow upstream').catch((error: Error) => {
      throw new Error(`${error.message} (the gateway answered: ${answered})\n${log.lines.slice(-10).join('\n')}`);
    });
    gateway.kill('SIGINT');
    await log.waitFor((line) => line.includes('"msg":"shutting down"'));
    gateway.kill('SIGINT');
    const [code, signal] = (await once(gateway, 'exit')) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(log.lines.filter((line) => line.includes('"msg":"shutting down"'))).toHaveLength(1);
    expect(log.lines.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    await inFlight;
  });

  it('stops when the terminal it was started from closes, and reloads on a SIGHUP while that terminal is open', async () => {
    const ws = workspace();
    // util-linux `script` gives the gateway a pseudo-terminal as its controlling terminal.
    const command = `exec ${JSON.stringify(process.execPath)} gateway/main.ts`;
    const terminal = track(spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, env: { ...process.env, ...ws.env }, stdio: ['pipe', 'pipe', 'pipe'] }));
    const log = collectLines(terminal);
    const pid = await gatewayPid(ws);

    process.kill(pid, 'SIGHUP');
    await log.waitFor((line) => line.includes('routes reloaded'));
    expect(isRunning(pid)).toBe(true);

    // Closing the terminal: the pty's master side goes away with `script`.
    terminal.kill('SIGKILL');
    await until(() => !isRunning(pid), 'the gateway stopped after its terminal closed');
    // A graceful stop (not a kill): the exit hook removed the pid file.
    expect(existsSync(ws.pidFile)).toBe(false);
  });

  it('reloads on SIGHUP (and SIGUSR2) when started as a service (its own session, no controlling terminal)', async () => {
    const ws = workspace();
    const gateway = track(spawn(process.execPath, ['gateway/main.ts'], { cwd: ROOT, env: { ...process.env, ...ws.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    const log = collectLines(gateway);
    const pid = await gatewayPid(ws);
    expect(pid).toBe(gateway.pid);
    await log.waitFor((line) => line.includes('"hangup":"reloads"'));
    process.kill(pid, 'SIGHUP');
    await log.waitFor((line) => line.includes('routes reloaded') && line.includes('"reason":"SIGHUP"'));
    expect(isRunning(pid)).toBe(true);
    // SIGUSR2 reloads too, whatever the terminal situation.
    process.kill(pid, 'SIGUSR2');
    await log.waitFor((line) => line.includes('routes reloaded') && line.includes('"reason":"SIGUSR2"'));
    gateway.kill('SIGTERM');
    const [code] = (await once(gateway, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});
