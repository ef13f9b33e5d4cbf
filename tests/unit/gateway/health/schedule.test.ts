// The monitor schedule (node-cron expressions) and HEALTH_* settings parsing.
import { describe, expect, it } from 'vitest';
import cron from 'node-cron';
import { cronExpressionFor, tickSecondsOf } from '../../../../gateway/health/schedule.ts';
import { HealthSettingsError, loadHealthSettings } from '../../../../gateway/health/settings.ts';

describe('cronExpressionFor', () => {
  it.each([
    [1, '*/1 * * * * *', 1],
    [10, '*/10 * * * * *', 10],
    [7, '*/6 * * * * *', 6],
    [300, '0 */5 * * * *', 300],
    [7_200, '0 0 */2 * * *', 7_200],
  ])('%i s → %s (valid for node-cron, ticks every %i s)', (seconds, expression, tick) => {
    expect(cronExpressionFor(seconds)).toBe(expression);
    expect(cron.validate(expression)).toBe(true);
    expect(tickSecondsOf(expression)).toBe(tick);
  });
});

describe('loadHealthSettings', () => {
  it('uses the defaults without environment', () => {
    expect(loadHealthSettings({})).toEqual({ checkIntervalSeconds: null, autoRestartEnabled: true, autoRestartMaxPerHour: 5, autoRestartCooldownSeconds: 300, historySize: 100 });
  });

  it('reads the overrides', () => {
    expect(loadHealthSettings({ HEALTH_CHECK_INTERVAL_SECONDS: '30', HEALTH_AUTO_RESTART_ENABLED: 'false', HEALTH_AUTO_RESTART_MAX_PER_HOUR: '2', HEALTH_AUTO_RESTART_COOLDOWN_SECONDS: '60' })).toMatchObject({
      checkIntervalSeconds: 30,
      autoRestartEnabled: false,
      autoRestartMaxPerHour: 2,
      autoRestartCooldownSeconds: 60,
    });
  });

  it.each([
    ['HEALTH_CHECK_INTERVAL_SECONDS', '0'],
    ['HEALTH_CHECK_INTERVAL_SECONDS', 'ten'],
    ['HEALTH_AUTO_RESTART_MAX_PER_HOUR', '-1'],
    ['HEALTH_AUTO_RESTART_COOLDOWN_SECONDS', '1.5'],
    ['HEALTH_AUTO_RESTART_ENABLED', 'maybe'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadHealthSettings({ [name]: value })).toThrow(HealthSettingsError);
  });
});
