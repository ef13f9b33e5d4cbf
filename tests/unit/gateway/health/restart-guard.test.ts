// Auto-restart guard rails: cooldown, hourly maximum, bounded history.
import { describe, expect, it } from 'vitest';
import { RestartGuard } from '../../../../gateway/health/restart-guard.ts';

describe('RestartGuard', () => {
  it('refuses within the cooldown and past the hourly maximum, per service', () => {
    let now = 0;
    const guard = new RestartGuard({ maxPerHour: 2, cooldownMs: 60_000, historySize: 100, now: () => now });
    expect(guard.refusal('orm')).toBeNull();
    guard.record('orm', 'failing');
    now = 30_000;
    expect(guard.refusal('orm')).toBe('auto-restart cooldown active (30 s left)');
    expect(guard.refusal('cache')).toBeNull();
    now = 60_000;
    guard.record('orm', 'failing');
    now = 200_000;
    expect(guard.refusal('orm')).toBe('auto-restart limit reached (2 per hour)');
    now = 3_600_001;
    expect(guard.refusal('orm')).toBeNull();
    expect(guard.counts()).toEqual({ orm: 1 });
  });

  it('keeps only the newest historySize actions', () => {
    const guard = new RestartGuard({ maxPerHour: 1_000, cooldownMs: 0, historySize: 100, now: () => 0 });
    for (let i = 0; i < 130; i++) guard.record(`s${i}`, `reason ${i}`);
    const history = guard.history();
    expect(history).toHaveLength(100);
    expect(history[0]).toEqual({ timestamp: new Date(0).toISOString(), service_name: 's30', action_type: 'auto_restart', reason: 'reason 30' });
  });
});
