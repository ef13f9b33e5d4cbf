// The half-load runs' CPU placement (tests/bench/lib/cpu-pinning.ts): which CPUs
// each side gets, the process tree it walks, and that pinning a real process moves
// its main thread only, and back.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pinEventLoops, planPinning, processTree } from '../../../bench/lib/cpu-pinning.ts';

/** The CPU list the kernel reports for one thread (/proc status, "Cpus_allowed_list"). */
function allowedCpus(pid: number, tid = pid): string {
  const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
  return /Cpus_allowed_list:\s*(\S+)/.exec(status)![1]!;
}

describe('CPU pinning for the paced runs', () => {
  it('serves on CPU 0 and loads on the rest; no plan without taskset or with one CPU', () => {
    expect(planPinning(2, '/usr/bin/taskset')).toEqual({ taskset: '/usr/bin/taskset', serveCpus: '0', loadCpus: '1', allCpus: '0-1' });
    expect(planPinning(16, '/usr/bin/taskset')).toMatchObject({ serveCpus: '0', loadCpus: '1-15', allCpus: '0-15' });
    expect(planPinning(1, '/usr/bin/taskset')).toBeNull();
    expect(planPinning(8, null)).toBeNull();
  });

  it('walks a process tree depth first', () => {
    const children: Record<number, number[]> = { 1: [2, 3], 2: [4], 3: [], 4: [] };
    expect(processTree(1, (pid) => children[pid] ?? [])).toEqual([1, 2, 4, 3]);
  });

  it('moves the main thread of each process in a real tree, leaves its other threads, and moves it back', async (context) => {
    const plan = planPinning();
    if (!plan) return context.skip('needs taskset and 2 CPUs');
    // A Node process with a child: both have V8 and libuv threads beside the main one.
    // Each says "up" once its own code runs, i.e. once its start-up threads exist: a
    // thread created after the pinning would inherit the main thread's CPU.
    const parent = spawn(process.execPath, ['-e', "require('node:child_process').spawn(process.execPath, ['-e', 'console.log(\\'child up\\'); setInterval(() => {}, 1000)'], { stdio: 'inherit' }); console.log('parent up'); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
    onTestFinished(() => {
      for (const pid of processTree(parent.pid!).reverse()) process.kill(pid, 'SIGKILL');
    });
    await new Promise<void>((resolve) => {
      let said = '';
      parent.stdout!.on('data', (chunk: Buffer) => {
        said += String(chunk);
        if (said.includes('parent up') && said.includes('child up')) resolve();
      });
    });
    const tree = processTree(parent.pid!);
    expect(tree).toHaveLength(2);
    pinEventLoops(plan, parent.pid!, plan.serveCpus);
    for (const pid of tree) {
      expect(allowedCpus(pid)).toBe(plan.serveCpus);
      const helpers = readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => tid !== pid);
      expect(helpers.length).toBeGreaterThan(0);
      for (const tid of helpers) expect(allowedCpus(pid, tid)).toBe(plan.allCpus);
    }
    pinEventLoops(plan, parent.pid!, plan.allCpus);
    for (const pid of tree) expect(allowedCpus(pid)).toBe(plan.allCpus);
  });
});
