import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { summariseProfile } from '../../../bench/lib/cpu-profile.ts';

/** root → handler (project file) → write (native); plus (idle). Samples: 1 ms apart. */
async function writeProfile(samples: number[]): Promise<string> {
  const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4] },
      { id: 2, callFrame: frame('handle', 'file:///repo/gateway/app.ts', 9), children: [3] },
      { id: 3, callFrame: frame('writev') },
      { id: 4, callFrame: frame('(idle)') },
    ],
    samples,
    timeDeltas: samples.map(() => 1000),
  };
  const dir = await mkdtemp(join(tmpdir(), 'cpu-profile-test-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'x.cpuprofile');
  await writeFile(file, JSON.stringify(profile));
  return file;
}

describe('summariseProfile', () => {
  it('splits busy samples into self and inclusive shares, idle excluded', async () => {
    const file = await writeProfile([2, 3, 3, 3, 4, 4]);
    const summary = await summariseProfile(file, { root: '/repo' });
    expect(summary.samples).toBe(6);
    expect(summary.busyPct).toBeCloseTo((100 * 4) / 6);
    const byName = new Map(summary.functions.map((entry) => [entry.name, entry]));
    expect(byName.get('writev')).toMatchObject({ selfPct: 75, totalPct: 75 });
    expect(byName.get('handle gateway/app.ts:10')).toMatchObject({ selfPct: 25, totalPct: 100 });
    expect(summary.modules.find((entry) => entry.name === 'gateway/app.ts')?.totalPct).toBe(100);
  });

  it('drops the start-up samples before skipMs', async () => {
    const file = await writeProfile([2, 2, 3, 3]);
    const summary = await summariseProfile(file, { root: '/repo', skipMs: 2.5 });
    expect(summary.samples).toBe(2);
    expect(summary.functions[0]).toMatchObject({ name: 'writev', selfPct: 100 });
  });
});
