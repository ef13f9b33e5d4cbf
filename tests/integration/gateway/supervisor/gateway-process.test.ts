// The real gateway (gateway/main.ts) supervising fixture children: SIGTERM stops
// them all before it exits (SIGKILL: orphans.test.ts). Children are found in the
// process table by their parent pid.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { fixturePath } from '../../../fixtures/processes/configs.ts';
import { isAlive } from '../../../fixtures/processes/wait.ts';
import { startProcess, type StartedProcess } from '../../../helpers/processes.ts';

let gateway: StartedProcess | null = null;
let children: number[] = [];

afterEach(async () => {
  if (gateway && gateway.child.exitCode === null && gateway.child.signalCode === null) await gateway.stop('SIGKILL');
  for (const pid of children) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  gateway = null;
  children = [];
});

function childrenOf(parent: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function startGateway(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fullon-gw-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const routes = join(dir, 'routes.yaml');
  await writeFile(
    routes,
    `upstreams:
  orm:
    process:
      command: [node, ${JSON.stringify(fixturePath('http-service.ts'))}]
    health: { path: /health }
services:
  ticker:
    process:
      command: [node, ${JSON.stringify(fixturePath('idle-daemon.ts'))}]
routes:
  - prefix: /api/v1/orm
    upstream: orm
    auth: public
`,
  );
  gateway = await startProcess(fileURLToPath(new URL('../../../../gateway/main.ts', import.meta.url)), { ROUTES_FILE: routes, DATA_DIR: dir, JWT_SECRET_KEY: 'k'.repeat(40), ACCESS_LOG: 'false', HEALTH_CHECK_INTERVAL_SECONDS: '60' });
  // startAll runs after the listening line: wait for both children's "running" log lines.
  const started = gateway;
  await new Promise<void>((resolve, reject) => {
    const count = () => started.output.filter((line) => line.includes('"to":"running"')).length;
    if (count() >= 2) return resolve();
    const lines = createInterface({ input: started.child.stdout! });
    const timer = setTimeout(() => reject(new Error(`children did not start:\n${started.output.join('\n')}`)), 25_000);
    // No lines.close(): it would pause the child's stdout for the helper's reader too.
    const onLine = (line: string) => {
      if (!line.includes('"to":"running"') || count() < 2) return;
      clearTimeout(timer);
      lines.off('line', onLine);
      resolve();
    };
    lines.on('line', onLine);
  });
  children = childrenOf(gateway.child.pid!);
}

describe('the gateway process and its children', () => {
  it('leaves no child behind after SIGTERM', async () => {
    await startGateway();
    // The two supervised children and the one data-plane worker (WORKERS=1): all the primary's.
    expect(children).toHaveLength(3);
    const code = await gateway!.stop('SIGTERM');
    expect(code).toBe(0);
    for (const pid of children) expect(isAlive(pid)).toBe(false);
  });
});
