// One writer per fact (issue 14 item 0): the supervisor's process fact and the
// health monitor's verdict are kept apart; availability is derived from both.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';

const url = new URL('http://127.0.0.1:1/');

describe('UpstreamRegistry', () => {
  it('is down while the process is down, whatever the health verdict says', () => {
    const registry = new UpstreamRegistry();
    registry.setTarget('orm', url);
    registry.setProcessState('orm', { up: false, reason: 'orm is backoff: exited', retryAfterS: 4 });
    registry.setHealthVerdict('orm', null);
    expect(registry.get('orm')).toMatchObject({ availability: 'down', reason: 'orm is backoff: exited', retryAfterS: 4 });
  });

  it('a running process does not override a failing verdict; clearing the verdict brings it up', () => {
    const registry = new UpstreamRegistry();
    registry.setTarget('orm', url);
    registry.setHealthVerdict('orm', { reason: 'orm is failing health checks: HTTP 500', retryAfterS: 5 });
    registry.setProcessState('orm', { up: true });
    expect(registry.get('orm')).toMatchObject({ availability: 'down', reason: 'orm is failing health checks: HTTP 500' });
    registry.setHealthVerdict('orm', null);
    expect(registry.get('orm')).toMatchObject({ availability: 'up', reason: null });
  });

  it('a new target starts without a verdict and without connection errors', () => {
    const registry = new UpstreamRegistry();
    registry.setTarget('ext', url);
    registry.reportConnectionError('ext', new Error('refused'));
    registry.setHealthVerdict('ext', { reason: 'ext is unreachable', retryAfterS: 1 });
    registry.setTarget('ext', url);
    expect(registry.get('ext')?.availability).toBe('down');
    registry.setTarget('ext', new URL('http://127.0.0.1:2/'));
    expect(registry.get('ext')).toMatchObject({ availability: 'up', connectionErrors: 0 });
  });

  it('ignores a verdict about a name it does not know (services have no entry)', () => {
    const registry = new UpstreamRegistry();
    registry.setHealthVerdict('ticker', { reason: 'x', retryAfterS: 1 });
    expect(registry.get('ticker')).toBeUndefined();
  });

  it('has one writer per fact in the gateway', () => {
    const gateway = join(import.meta.dirname, '../../../../gateway');
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
    const writers = (method: string) => files(gateway).filter((file) => !file.includes('/registry/') && readFileSync(file, 'utf8').includes(`.${method}(`)).map((file) => relative(gateway, file));
    expect(writers('setProcessState')).toEqual(['supervisor/supervisor.ts']);
    expect(writers('setHealthVerdict')).toEqual(['health/monitor.ts']);
    expect(writers('setTarget').sort()).toEqual(['proxy/static-targets.ts', 'supervisor/supervisor.ts']);
  });
});
