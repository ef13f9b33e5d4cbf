// The "ready" line: once, when the health verdict first turns ready; one warning
// naming what is missing when that takes too long; an admin hint without secrets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adminHint, readyMessage, watchFirstReady } from '../../../../gateway/process/ready-banner.ts';

describe('watchFirstReady', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports ready once, with the time since start, and warns once if it takes longer than slowAfterMs', () => {
    let ready = false;
    let clock = 1_000;
    const onReady = vi.fn();
    const onSlow = vi.fn();
    watchFirstReady({ isReady: () => ready, onReady, onSlow, startedAt: 1_000, slowAfterMs: 5_000, pollMs: 100, now: () => clock });
    clock += 4_000;
    vi.advanceTimersByTime(4_000);
    expect(onSlow).not.toHaveBeenCalled();
    clock += 2_000;
    vi.advanceTimersByTime(2_000);
    expect(onSlow).toHaveBeenCalledTimes(1);
    ready = true;
    clock += 500;
    vi.advanceTimersByTime(1_000);
    expect(onReady).toHaveBeenCalledTimes(1);
    expect(onReady).toHaveBeenCalledWith(6_500);
    vi.advanceTimersByTime(10_000);
    expect([onReady.mock.calls.length, onSlow.mock.calls.length]).toEqual([1, 1]);
  });

  it('reports at once when already ready', () => {
    const onReady = vi.fn();
    watchFirstReady({ isReady: () => true, onReady, startedAt: 0, now: () => 250 });
    expect(onReady).toHaveBeenCalledWith(250);
  });
});

describe('adminHint', () => {
  const dirs: string[] = [];
  afterEach(() => {
    while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
  });

  it.each([
    [true, false, /log in as boss@x with the password in .*initial-admin-password/],
    [false, true, /^log in as boss@x with ADMIN_PASSWORD$/],
    [false, false, /^admin account: boss@x$/],
  ])('file present %s, ADMIN_PASSWORD set %s → %s', (file, passwordSet, expected) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hint-'));
    dirs.push(dataDir);
    if (file) writeFileSync(join(dataDir, 'initial-admin-password'), 'secret-value\n');
    const hint = adminHint({ dataDir, adminMail: 'boss@x', adminPasswordSet: passwordSet });
    expect(hint).toMatch(expected);
    expect(hint).not.toContain('secret-value');
  });

  it('builds the ready line', () => {
    expect(readyMessage('http://127.0.0.1:8000', 'admin account: a@b', 6_480)).toBe('ready: http://127.0.0.1:8000 (6.5 s); admin account: a@b');
  });
});
