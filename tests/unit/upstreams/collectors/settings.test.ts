// Collector settings: EXCHANGE_URLS and the numbers are hostile input; a bad value
// is refused with the variable's name, never half-applied.
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../../upstreams/collectors/common/backoff.ts';
import { CollectorSettingsError, loadCollectorSettings, parseExchangeUrls } from '../../../../upstreams/collectors/common/settings.ts';
import { CollectorStatus, describeError } from '../../../../upstreams/collectors/common/status.ts';
import { AdaptiveInterval } from '../../../../upstreams/collectors/account/adaptive-interval.ts';
import { pino } from 'pino';

describe('collector settings', () => {
  it('reads the discovery variables and EXCHANGE_URLS', () => {
    const settings = loadCollectorSettings('ticker', { UPSTREAM_ORM_API_URL: 'http://127.0.0.1:1', EXCHANGE_URLS: '{"kraken": "http://127.0.0.1:9100/"}', OHLCV_COLLECT_START: '2026-01-01T00:00:30Z' });
    expect(settings).toMatchObject({ kind: 'ticker', ormUrl: 'http://127.0.0.1:1', cacheUrl: null, exchangeUrls: { kraken: 'http://127.0.0.1:9100' }, ohlcvStart: Date.parse('2026-01-01T00:00:00Z') });
  });

  it.each([
    ['{"kraken": "ftp://x"}', /EXCHANGE_URLS.kraken must be an http\(s\) URL/],
    ['["kraken"]', /JSON object/],
    ['{not json', /JSON object/],
    ['{"../x": "http://x"}', /is not an exchange id/],
  ])('refuses EXCHANGE_URLS=%s', (raw, message) => {
    expect(() => parseExchangeUrls(raw)).toThrow(message);
  });

  it('refuses an unknown kind, bad numbers and a bad start', () => {
    expect(() => loadCollectorSettings('candles', {})).toThrow(CollectorSettingsError);
    expect(() => loadCollectorSettings('ticker', { TICKER_POLL_INTERVAL_MS: '-5' })).toThrow(/TICKER_POLL_INTERVAL_MS/);
    expect(() => loadCollectorSettings('ohlcv', { OHLCV_COLLECT_START: 'yesterday' })).toThrow(/OHLCV_COLLECT_START/);
  });
});

describe('backoff and adaptive interval', () => {
  it('doubles up to the cap and resets on success', () => {
    const backoff = new Backoff(100, 1_000, () => 0.5);
    expect([backoff.fail(), backoff.fail(), backoff.fail(), backoff.fail(), backoff.fail()]).toEqual([100, 200, 400, 800, 1_000]);
    backoff.succeed();
    expect(backoff.fail()).toBe(100);
  });

  it('polls an active account sooner and a quiet one later, within bounds', () => {
    const interval = new AdaptiveInterval(1_000, 8_000);
    expect([interval.unchanged(), interval.unchanged(), interval.unchanged(), interval.unchanged()]).toEqual([2_000, 4_000, 8_000, 8_000]);
    expect([interval.changed(), interval.changed(), interval.changed(), interval.changed()]).toEqual([4_000, 2_000, 1_000, 1_000]);
  });
});

describe('collector status', () => {
  it('logs a failing target at the 1st, 2nd, 4th... failure only, and reports it', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const status = new CollectorStatus('ticker', logger);
    status.following = 1;
    for (let i = 0; i < 9; i++) status.fail('kraken', new Error('connect ECONNREFUSED'), 1_000);
    expect(lines.filter((line) => line.includes('backing off'))).toHaveLength(4);
    expect(status.report()).toMatchObject({ state: 'degraded', targets: { kraken: { state: 'backoff', failures: 9, error: 'Error: connect ECONNREFUSED' } } });
    status.ok('kraken');
    expect(status.report().state).toBe('collecting');
    status.following = 0;
    expect(status.report().state).toBe('idle');
  });

  it('keeps secrets out of error descriptions', () => {
    expect(describeError(new Error('kraken apiKey=abc secret=xyz rejected'))).not.toMatch(/abc|xyz/);
  });
});
