// The gateway's children never outlive it: SIGTERM stops them through stopAll,
// SIGKILL (no cleanup possible) is covered by setpriv --pdeathsig. Checked in the
// process table with a real gateway-like parent.
import { spawn, type ChildProcess } from 'node:child_process';
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

async function startParent(): Promise<number[]> {
  parent = spawn(process.execPath, [fixturePath('supervising-parent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: parent.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg: string; pids: number[] };
    if (entry.msg === 'children') return entry.pids;
  }
  throw new Error('parent exited before reporting its children');
}

describe('orphan protection', () => {
  it('stops every child when the gateway gets SIGTERM', async () => {
    childPids = await startParent();
    expect(childPids).toHaveLength(2);
    for (const pid of childPids) expect(isAlive(pid)).toBe(true);
    const exited = new Promise((resolve) => parent!.once('exit', resolve));
    parent!.kill('SIGTERM');
    await exited;
    for (const pid of childPids) expect(isAlive(pid)).toBe(false);
  });

  it.skipIf(findSetpriv() === null)('kills every child when the gateway dies by SIGKILL', async () => {
    childPids = await startParent();
    for (const pid of childPids) expect(isAlive(pid)).toBe(true);
    parent!.kill('SIGKILL');
    for (const pid of childPids) await waitForPidGone(pid);
  });
});
