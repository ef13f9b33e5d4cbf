import { describe, expect, it } from 'vitest';
import { publicPathOf } from '../../../../gateway/openapi/public-paths.ts';

describe('publicPathOf (the inverse of the route rewrite)', () => {
  it.each<[string, string, string | null, string | null]>([
    ['/users/me', '/api/v1/orm', '', '/api/v1/orm/users/me'],
    ['/', '/api/v1/orm', '', '/api/v1/orm'],
    ['/candles/{exchange}/{symbol}', '/api/v1/ohlcv', '', '/api/v1/ohlcv/candles/{exchange}/{symbol}'],
    ['/api/v1/keep/x', '/api/v1/keep', null, '/api/v1/keep/x'],
    ['/elsewhere/x', '/api/v1/keep', null, null],
    ['/v2/users', '/api/v1/orm', '/v2', '/api/v1/orm/users'],
    ['/v3/users', '/api/v1/orm', '/v2', null],
    ['/v2x/users', '/api/v1/orm', '/v2', null],
    ['/x', '/', '', '/x'],
  ])('%s under prefix %s with rewrite %j → %s', (path, prefix, rewrite, expected) => {
    expect(publicPathOf(path, { prefix, rewrite })).toBe(expected);
  });
});
