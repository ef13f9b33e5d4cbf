// CPU per process tree and per kind of thread (tests/bench/lib/cpu-usage.ts): how
// a thread is classified, and that a real process's main-thread work lands in
// "eventLoop", its children's included.
import { spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { processTree } from '../../../bench/lib/cpu-pinning.ts';
import { classifyThread, readTreeCpuMs, readTreeThreadCpuMs } from '../../../bench/lib/cpu-usage.ts';

describe('CPU usage by thread kind', () => {
  it('classifies the main thread, V8 platform threads and the rest', () => {
    expect(classifyThread(100, 100, 'node')).toBe('eventLoop');
    expect(classifyThread(100, 100, 'nginx')).toBe('eventLoop');
    expect(classifyThread(100, 101, 'V8Worker')).toBe('v8');
    expect(classifyThread(100, 102, 'DelayedTaskSche')).toBe('v8');
    expect(classifyThread(100, 103, 'libuv-worker')).toBe('other');
    expect(classifyThread(100, 104, 'SignalInspector')).toBe('other');
    // A thread named like V8's but not the main thread is still not the event loop.
    expect(classifyThread(100, 105, 'MainThread')).toBe('other');
  });

  it('is null for a process that does not exist', () => {
    expect(readTreeThreadCpuMs(2 ** 22 + 12_345)).toBeNull();
  });

  it("charges a child process's busy main thread to eventLoop, counted from the tree's root", async (context) => {
    if (process.platform !== 'linux') return context.skip('reads /proc');
    // The parent idles; its child spins its event loop for ~400 ms of CPU, then says so.
    const script = "const c = require('node:child_process').spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end); console.log(\"spun\"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'] }); setInterval(() => {}, 1000)";
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    // The child too: an orphan would keep spinning its interval (and the test's pipe) open.
    onTestFinished(() => {
      for (const pid of processTree(parent.pid!).reverse()) process.kill(pid, 'SIGKILL');
    });
    const before = readTreeThreadCpuMs(parent.pid!);
    await new Promise<void>((resolve) => parent.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('spun') && resolve()));
    const after = readTreeThreadCpuMs(parent.pid!)!;
    const spent = after.eventLoop - (before?.eventLoop ?? 0);
    // ≥ 400 ms of wall time spinning; a busy machine gives it less CPU, never none.
    expect(spent).toBeGreaterThanOrEqual(100);
    expect(spent).toBeGreaterThan(after.v8 - (before?.v8 ?? 0));
    // The split covers what the tree-wide reading counts (within a tick per thread: threads that exited are not in it).
    expect(after.eventLoop + after.v8 + after.other).toBeLessThanOrEqual(readTreeCpuMs(parent.pid!)! + 10);
  });
});
