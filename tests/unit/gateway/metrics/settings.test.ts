// METRICS_ENABLED and METRICS_PORT: read strictly, refused with one line.
import { describe, expect, it } from 'vitest';
import { readMetricsSettings } from '../../../../gateway/metrics/settings.ts';
import { SettingsError } from '../../../../gateway/config/settings.ts';

describe('readMetricsSettings', () => {
  it.each([
    [{}, { enabled: true, port: null }],
    [{ METRICS_ENABLED: 'false' }, { enabled: false, port: null }],
    [{ METRICS_ENABLED: ' TRUE ' }, { enabled: true, port: null }],
    [{ METRICS_PORT: '9464' }, { enabled: true, port: 9464 }],
    [{ METRICS_PORT: '0' }, { enabled: true, port: 0 }],
    [{ METRICS_PORT: '' }, { enabled: true, port: null }],
  ])('reads %j', (env, expected) => {
    expect(readMetricsSettings(env)).toEqual(expected);
  });

  it.each([
    [{ METRICS_ENABLED: 'no' }, 'METRICS_ENABLED must be true or false (got "no")'],
    [{ METRICS_ENABLED: '0' }, 'METRICS_ENABLED must be true or false (got "0")'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT must be a port number from 0 to 65535 (got "70000")'],
    [{ METRICS_PORT: '-1' }, 'METRICS_PORT must be a port number from 0 to 65535 (got "-1")'],
    [{ METRICS_PORT: '94.6' }, 'METRICS_PORT must be a port number from 0 to 65535 (got "94.6")'],
    [{ METRICS_PORT: 'metrics' }, 'METRICS_PORT must be a port number from 0 to 65535 (got "metrics")'],
  ])('refuses %j with one line', (env, message) => {
    expect(() => readMetricsSettings(env)).toThrow(SettingsError);
    expect(() => readMetricsSettings(env)).toThrow(message);
  });
});
