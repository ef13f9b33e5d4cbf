// The gateway's children never outlive it, even when it dies by SIGKILL (no cleanup
// possible): setpriv --pdeathsig makes the kernel stop them. Checked in the process
// table with a small gateway-like parent; gateway-process.test.ts covers SIGTERM
// with the real gateway.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { findSetpriv } from '../../../../gateway/supervisor/spawner.ts';
import { fixturePath } from '../../../fixtures/processes/configs.ts';
import { isAlive, waitForPidGone } from '../../../fixtures/processes/wait.ts';

let parent: ChildProcess | null = null;
let childPids: number[] = [];

afterEach(() => {
  if (parent && parent.exitCode === null) parent.kill('SIGKILL');
  for (const pid of childPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  childPids = [];
});

async function startParent(orphanGuard: string): Promise<number[]> {
  parent = spawn(process.execPath, [fixturePath('supervising-parent.ts')], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ORPHAN_GUARD: orphanGuard } });
  const lines = createInterface({ input: parent.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg: string; pids: number[] };
    if (entry.msg === 'children') return entry.pids;
  }
  throw new Error('parent exited before reporting its children');
}

function childrenOf(parentPid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parentPid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('orphan protection', () => {
  it.skipIf(findSetpriv() === null)('kills every child when the gateway dies by SIGKILL (setpriv --pdeathsig)', async () => {
    childPids = await startParent('setpriv');
    for (const pid of childPids) expect(isAlive(pid)).toBe(true);
    parent!.kill('SIGKILL');
    for (const pid of childPids) await waitForPidGone(pid);
  });

  it('kills every child when the gateway dies by SIGKILL (watchdog, where setpriv is missing)', async () => {
    // With the watchdog the supervised pid is the watchdog's; the real process is its child.
    const watchdogs = await startParent('watchdog');
    const real = watchdogs.flatMap((pid) => childrenOf(pid));
    expect(real).toHaveLength(2);
    childPids = [...watchdogs, ...real];
    parent!.kill('SIGKILL');
    for (const pid of childPids) await waitForPidGone(pid);
  });
});
