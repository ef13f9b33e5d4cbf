import { describe, expect, it } from 'vitest';
import { WORKER_V8_FLAGS, workerExecArgv } from '../../../../gateway/cluster/worker-node-flags.ts';

describe('workerExecArgv', () => {
  it('starts workers with the primary’s flags plus pretenuring off', () => {
    expect(WORKER_V8_FLAGS).toContain('--no-allocation-site-pretenuring');
    expect(workerExecArgv(['--max-old-space-size=512'])).toEqual(['--max-old-space-size=512', '--no-allocation-site-pretenuring']);
    expect(workerExecArgv([])).toEqual(['--no-allocation-site-pretenuring']);
  });

  it('keeps an operator’s own choice of the flag, in either sense and spelling', () => {
    expect(workerExecArgv(['--allocation-site-pretenuring'])).toEqual(['--allocation-site-pretenuring']);
    expect(workerExecArgv(['--allocation_site_pretenuring'])).toEqual(['--allocation_site_pretenuring']);
    expect(workerExecArgv(['--no-allocation-site-pretenuring'])).toEqual(['--no-allocation-site-pretenuring']);
  });

  it('is not fooled by a flag that only starts with the same words', () => {
    expect(workerExecArgv(['--allocation-site-pretenuring-extra'])).toEqual(['--allocation-site-pretenuring-extra', '--no-allocation-site-pretenuring']);
  });
});
