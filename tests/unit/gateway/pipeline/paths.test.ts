import { describe, expect, it } from 'vitest';
import { encodePath, isUnderPrefix, normaliseRequestPath, rewritePath } from '../../../../gateway/pipeline/paths.ts';

describe('normaliseRequestPath', () => {
  it.each([
    ['/api/v1/orm/users/me', '/api/v1/orm/users/me', ''],
    ['/api/v1/orm/users/me?x=1&y=2', '/api/v1/orm/users/me', 'x=1&y=2'],
    ['/', '/', ''],
    ['//', '/', ''],
    ['/api//v1///orm', '/api/v1/orm', ''],
    ['//api/v1/orm', '/api/v1/orm', ''],
    ['/api/v1/orm/', '/api/v1/orm/', ''],
    ['/api/v1/orm/a%20b', '/api/v1/orm/a b', ''],
    ['/api/v1/orm/%41', '/api/v1/orm/A', ''],
    ['/api/v1/orm/%252e%252e', '/api/v1/orm/%2e%2e', ''],
    ['/api/v1/orm/..foo', '/api/v1/orm/..foo', ''],
    ['/api/v1/orm/x#frag', '/api/v1/orm/x', ''],
    ['http://example.com/api/v1/orm/x?q', '/api/v1/orm/x', 'q'],
  ])('%s → %s', (raw, path, query) => {
    expect(normaliseRequestPath(raw)).toEqual({ ok: true, path, query });
  });

  it.each([
    ['/api/v1/orm/../services/x/stop', 'dot segment'],
    ['/api/v1/orm/./users', 'dot segment'],
    ['/api/v1/orm/%2e%2e/services/x/stop', 'dot segment'],
    ['/api/v1/orm/%2E%2E/services', 'dot segment'],
    ['/api/v1/orm/.%2e/services', 'dot segment'],
    ['/api/v1/orm/%2e/users', 'dot segment'],
    ['/api/v1/orm/..', 'dot segment'],
    ['/api/v1/orm%2f..%2fservices', 'encoded "/"'],
    ['/api/v1/orm/a%2Fb', 'encoded "/"'],
    ['/api/v1/orm/a%5cb', 'encoded "\\"'],
    ['/api/v1/orm/..%5c..%5cservices', 'encoded "\\"'],
    ['/api/v1/orm\\..\\services', 'backslash'],
    ['/api/v1/orm/a%00b', 'NUL byte'],
    ['/api/v1/orm/a%0ab', 'control character'],
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
  ])('%s with prefix %s and rewrite %j → %s', (path, prefix, rewrite, expected) => {
    expect(rewritePath(path, prefix, rewrite)).toBe(expected);
  });
});

describe('encodePath', () => {
  it.each([
    ['/users/me', '/users/me'],
    ['/a b/c', '/a%20b/c'],
    ['/%2e%2e', '/%252e%252e'],
    ['/user@example.com:8', '/user@example.com:8'],
    ['/ü', '/%C3%BC'],
    ['/a?b#c', '/a%3Fb%23c'],
  ])('%s → %s', (path, expected) => {
    expect(encodePath(path)).toBe(expected);
  });

  it('round-trips: normalising the encoded form gives the same path', () => {
    for (const path of ['/a b/c', '/%2e%2e', '/ü/x', '/a?b#c', '/x;y=1']) {
      expect(normaliseRequestPath(encodePath(path))).toEqual({ ok: true, path, query: '' });
    }
  });
});
