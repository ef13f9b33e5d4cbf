import { describe, expect, it } from 'vitest';
import { isUnderPrefix, normaliseRequestPath, rewritePath } from '../../../../gateway/pipeline/paths.ts';

describe('normaliseRequestPath', () => {
  it.each([
    // [sent, path for matching, path forwarded, query]
    ['/api/v1/orm/users/me', '/api/v1/orm/users/me', '/api/v1/orm/users/me', ''],
    ['/api/v1/orm/users/me?x=1&y=2', '/api/v1/orm/users/me', '/api/v1/orm/users/me', 'x=1&y=2'],
    ['/', '/', '/', ''],
    ['//', '/', '/', ''],
    ['/api//v1///orm', '/api/v1/orm', '/api/v1/orm', ''],
    ['//api/v1/orm', '/api/v1/orm', '/api/v1/orm', ''],
    ['/api/v1/orm/', '/api/v1/orm/', '/api/v1/orm/', ''],
    ['/api/v1/orm/a%20b', '/api/v1/orm/a b', '/api/v1/orm/a%20b', ''],
    ['/api/v1/%6Frm/%41', '/api/v1/orm/A', '/api/v1/%6Frm/%41', ''],
    ['/api/v1/orm/..foo', '/api/v1/orm/..foo', '/api/v1/orm/..foo', ''],
    ['/api/v1/orm/x#frag', '/api/v1/orm/x', '/api/v1/orm/x', ''],
    ['http://example.com/api/v1/orm/x?q', '/api/v1/orm/x', '/api/v1/orm/x', 'q'],
    // Issue 10 #11: the query of an authority without a path is not the path.
    ['http://evil.com?/api/v1/services', '/', '/', '/api/v1/services'],
    ['http://evil.com#/api/v1/services', '/', '/', ''],
    // An encoded "/" is data inside its segment, and goes upstream as sent.
    ['/api/v1/ohlcv/candles/hyperliquid/BTC%2FUSDC/1h', '/api/v1/ohlcv/candles/hyperliquid/BTC%2FUSDC/1h', '/api/v1/ohlcv/candles/hyperliquid/BTC%2FUSDC/1h', ''],
    ['/api/v1/ohlcv/candles/kraken/BTC%2FUSD%3ABTC/1h', '/api/v1/ohlcv/candles/kraken/BTC%2FUSD:BTC/1h', '/api/v1/ohlcv/candles/kraken/BTC%2FUSD%3ABTC/1h', ''],
    ['/api/v1/ohlcv/x/btc%2fusdc', '/api/v1/ohlcv/x/btc%2Fusdc', '/api/v1/ohlcv/x/btc%2fusdc', ''],
    // Double-encoded "/" is the text "%2F": data, one segment.
    ['/api/v1/ohlcv/x/BTC%252FUSDC', '/api/v1/ohlcv/x/BTC%252FUSDC', '/api/v1/ohlcv/x/BTC%252FUSDC', ''],
    ['/api/v1/ohlcv/x/100%25', '/api/v1/ohlcv/x/100%25', '/api/v1/ohlcv/x/100%25', ''],
    // Bytes that may not stand in a request line are escaped, the client's escapes kept.
    ['/api/v1/orm/a"b%2F', '/api/v1/orm/a"b%2F', '/api/v1/orm/a%22b%2F', ''],
    ['/api/v1/orm/\u00fc', '/api/v1/orm/\u00fc', '/api/v1/orm/%FC', ''],
  ])('%s → match %s, forward %s', (raw, path, rawPath, query) => {
    expect(normaliseRequestPath(raw)).toEqual({ ok: true, path, rawPath, query });
  });

  it('keeps an encoded "/" from splitting the segment in matching (no prefix is reachable through it)', () => {
    const result = normaliseRequestPath('/api%2Fv1%2Form/users');
    expect(result).toMatchObject({ ok: true, path: '/api%2Fv1%2Form/users' });
    if (result.ok) expect(isUnderPrefix(result.path, '/api/v1/orm')).toBe(false);
  });

  it.each([
    ['/api/v1/orm/../services/x/stop', 'dot segment'],
    ['/api/v1/orm/./users', 'dot segment'],
    ['/api/v1/orm/%2e%2e/services/x/stop', 'dot segment'],
    ['/api/v1/orm/%2E%2E/services', 'dot segment'],
    ['/api/v1/orm/.%2e/services', 'dot segment'],
    ['/api/v1/orm/%2e/users', 'dot segment'],
    ['/api/v1/orm/..', 'dot segment'],
    ['/api/v1/orm%2f..%2fservices', 'dot segment'],
    ['/api/v1/orm/a%2F..%2Fb', 'dot segment'],
    ['/api/v1/orm/a%2F.', 'dot segment'],
    ['/api/v1/orm/%2F..', 'dot segment'],
    ['/api/v1/orm/..%2Fservices', 'dot segment'],
    ['/api/v1/orm/%252e%252e', 'dot segment'],
    ['/api/v1/orm/%252E%252E/x', 'dot segment'],
    ['/api/v1/orm/a%252F..%252Fb', 'dot segment'],
    ['/api/v1/orm/a%5cb', 'encoded "\\"'],
    ['/api/v1/orm/a%5Cb', 'encoded "\\"'],
    ['/api/v1/orm/..%5c..%5cservices', 'encoded "\\"'],
    ['/api/v1/orm/a%255Cb', 'double-encoded "\\"'],
    ['/api/v1/orm\\..\\services', 'backslash'],
    ['/api/v1/orm/a\\b', 'backslash'],
    ['/api/v1/orm/a%00b', 'NUL byte'],
    ['/api/v1/orm/a%2500b', 'NUL byte'],
    ['/api/v1/orm/a%0ab', 'control character'],
    ['/api/v1/orm/a%7Fb', 'control character'],
    ['/api/v1/orm/a%250Ab', 'control character'],
    ['/api/v1/orm/%zz', 'bad percent-encoding'],
    ['/api/v1/orm/%e0%a4%a', 'bad percent-encoding'],
    ['*', 'request target must start with "/"'],
    ['api/v1/orm', 'request target must start with "/"'],
  ])('refuses %s (%s)', (raw, reason) => {
    expect(normaliseRequestPath(raw)).toEqual({ ok: false, reason });
  });
});

describe('isUnderPrefix', () => {
  it.each([
    ['/api/v1/orm', '/api/v1/orm', true],
    ['/api/v1/orm/users', '/api/v1/orm', true],
    ['/api/v1/orm/', '/api/v1/orm', true],
    ['/api/v1/ormx', '/api/v1/orm', false],
    ['/api/v1', '/api/v1/orm', false],
    ['/anything', '/', true],
  ])('%s under %s: %s', (path, prefix, expected) => {
    expect(isUnderPrefix(path, prefix)).toBe(expected);
  });
});

describe('rewritePath', () => {
  it.each([
    ['/api/v1/orm/users/me', '/api/v1/orm', '', '/users/me'],
    ['/api/v1/orm', '/api/v1/orm', '', '/'],
    ['/api/v1/orm/', '/api/v1/orm', '', '/'],
    ['/api/v1/orm/users', '/api/v1/orm', null, '/api/v1/orm/users'],
    ['/api/v1/orm/users', '/api/v1/orm', '/v2', '/v2/users'],
    ['/x/y', '/', '', '/x/y'],
    // Works on segments, so the raw spelling of the prefix is stripped too.
    ['/api/v1/%6Frm/a%2Fb', '/api/v1/orm', '', '/a%2Fb'],
    ['/api/v1/ohlcv/candles/x/BTC%2FUSDC/1h', '/api/v1/ohlcv', '', '/candles/x/BTC%2FUSDC/1h'],
  ])('%s with prefix %s and rewrite %j → %s', (path, prefix, rewrite, expected) => {
    expect(rewritePath(path, prefix, rewrite)).toBe(expected);
  });
});
