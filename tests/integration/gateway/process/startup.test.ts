// The real gateway's start-up as an operator sees it: its pid logged and in
// DATA_DIR/gateway.pid (gone after a clean stop), `npm run reload` reloading it,
// one "ready" line, and known failures as one line with what to do, no stack.
import { once } from 'node:events';
import { createServer } from 'node:net';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectLines, createWorkspace, ROOT, runToExit, type Workspace } from './harness.ts';
import { makeTestPair, writeTestPair } from '../../../helpers/test-certificates.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function workspace(): Workspace {
  const ws = createWorkspace();
  cleanups.push(() => ws.remove());
  return ws;
}

function startGateway(env: Record<string, string>): { child: ChildProcess; log: ReturnType<typeof collectLines> } {
  const child = spawn(process.execPath, ['gateway/main.ts'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(() => (child.exitCode === null && child.signalCode === null ? (child.kill('SIGKILL'), once(child, 'exit')) : undefined));
  return { child, log: collectLines(child) };
}

// Two unrelated pairs: the certificate of one with the key of the other.
const [certOwner, keyOwner] = await Promise.all([makeTestPair({ names: ['a.example.com'] }), makeTestPair({ names: ['b.example.com'] })]);
function mismatchedPair(dir: string): Record<string, string> {
  writeTestPair(join(dir, 'site.crt'), join(dir, 'site.key'), { cert: certOwner.cert, key: keyOwner.key });
  return { TLS_CERT_FILE: join(dir, 'site.crt'), TLS_KEY_FILE: join(dir, 'site.key') };
}

const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
const isJson = (line: string) => line.startsWith('{');

describe('gateway start-up', () => {
  it('logs its pid, writes DATA_DIR/gateway.pid, reloads on `npm run reload`, and removes the file on a clean stop', async () => {
    const ws = workspace();
    const { child, log } = startGateway(ws.env);
    const pidLine = parse(await log.waitFor((line) => isJson(line) && parse(line).pid_file !== undefined));
    expect(pidLine).toMatchObject({ service: 'gateway', pid: child.pid, pid_file: ws.pidFile });
    expect(pidLine.msg).toContain(`gateway pid ${child.pid}`);
    expect((await import('node:fs')).readFileSync(ws.pidFile, 'utf8').trim()).toBe(String(child.pid));

    const reload = await runToExit(process.execPath, ['gateway/cli/reload.ts'], { DATA_DIR: ws.dataDir, ENV_FILE: '' });
    expect(reload.code).toBe(0);
    expect(reload.output.join('\n')).toContain(`pid ${child.pid}`);
    await log.waitFor((line) => line.includes('routes reloaded') && line.includes('"reason":"SIGHUP"'));

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(existsSync(ws.pidFile)).toBe(false);
  });

  it('says "ready" once, with the URL, the time taken and where the generated admin password is (never the password)', async () => {
    const ws = workspace();
    mkdirSync(ws.dataDir, { recursive: true });
    writeFileSync(join(ws.dataDir, 'initial-admin-password'), 'not-for-logs-123\n', { mode: 0o600 });
    const { log } = startGateway({ ...ws.env, ADMIN_MAIL: 'boss@example.com', ADMIN_PASSWORD: '' });
    const port = parse(await log.waitFor((line) => isJson(line) && parse(line).msg === 'listening')).port;
    const ready = parse(await log.waitFor((line) => isJson(line) && String(parse(line).msg).startsWith('ready')));
    expect(ready).toMatchObject({ service: 'gateway', level: 30, url: `http://127.0.0.1:${port}`, elapsed_ms: expect.any(Number) });
    expect(ready.msg).toContain(`boss@example.com with the password in ${join(ws.dataDir, 'initial-admin-password')}`);
    const response = await fetch(`http://127.0.0.1:${port}/health/check`);
    expect(response.status).toBe(200);
    expect(log.lines.join('\n')).not.toContain('not-for-logs-123');
    expect(log.lines.filter((line) => line.includes('"msg":"ready')).length).toBe(1);
  });

  it('refuses a busy port with one line that says what to do, and leaves the running gateway’s pid file alone', async () => {
    const ws = workspace();
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    cleanups.push(() => blocker.close());
    const port = (blocker.address() as { port: number }).port;
    mkdirSync(ws.dataDir, { recursive: true });
    writeFileSync(ws.pidFile, '4242\n');
    const { code, output } = await runToExit(process.execPath, ['gateway/main.ts'], { ...ws.env, PORT: String(port) });
    expect(code).toBe(1);
    const fatal = output.filter((line) => isJson(line) && parse(line).level === 60);
    expect(fatal).toHaveLength(1);
    expect(parse(fatal[0]!)).toMatchObject({ code: 'EADDRINUSE', msg: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}: the port is in use.*set PORT`)) });
    expect(output.join('\n')).not.toMatch(/setupListenHandle|\n\s+at /);
    expect((await import('node:fs')).readFileSync(ws.pidFile, 'utf8')).toBe('4242\n');
  });

  it.each([
    ['a routes file that does not exist', (ws: Workspace) => ({ ROUTES_FILE: join(ws.dir, 'missing.yaml') }), /cannot read the routes file .*missing\.yaml: no such file; set ROUTES_FILE/],
    ['an ENV_FILE that does not exist', (ws: Workspace) => ({ ENV_FILE: join(ws.dir, 'missing.env') }), /ENV_FILE=.*missing\.env: no such file/],
    ['a bad setting', () => ({ PORT: 'eighty' }), /PORT must be a non-negative integer/],
    ['TLS_CERT_FILE without TLS_KEY_FILE', (ws: Workspace) => ({ TLS_CERT_FILE: join(ws.dir, 'site.crt') }), /TLS_CERT_FILE is set but TLS_KEY_FILE is not: set both/],
    ['TLS_MIN_VERSION=TLSv1.1', () => ({ TLS_MIN_VERSION: 'TLSv1.1' }), /TLS_MIN_VERSION: TLSv1\.1 is refused/],
    ['a TLS key that is not its certificate’s', (ws: Workspace) => mismatchedPair(ws.dir), /certificate refused: .*site\.key: is not the private key of .*site\.crt \(key and certificate do not match\)/],
  ])('refuses %s with one fatal line and no stack trace', async (_name, extra, message) => {
    const ws = workspace();
    const { code, output } = await runToExit(process.execPath, ['gateway/main.ts'], { ...ws.env, ...extra(ws) });
    expect(code).toBe(1);
    const fatal = output.filter((line) => isJson(line) && parse(line).level === 60);
    expect(fatal).toHaveLength(1);
    expect(String(parse(fatal[0]!).msg)).toMatch(message);
    expect(output.join('\n')).not.toMatch(/\n\s+at /);
  });
});
