// Upstream start-up failures an operator can fix: one line that says what to do.
import { describe, expect, it } from 'vitest';
import { explainStartupError } from '../../../../upstreams/common/startup-failure.ts';

describe('explainStartupError', () => {
  it.each([
    [{ code: 'ECONNREFUSED', address: '127.0.0.1', port: 5432 }, /cannot reach 127\.0\.0\.1:5432 \(connection refused\): start Postgres there, or fix DATABASE_URL/],
    [{ code: 'ENOTFOUND', hostname: 'db.internal' }, /cannot resolve the database host db\.internal in DATABASE_URL/],
    [{ code: '28P01' }, /refused the login .*fix the user or password in DATABASE_URL/],
    [{ code: '3D000' }, /database named in DATABASE_URL does not exist: create it/],
    [{ code: 'EADDRINUSE', address: '127.0.0.1', port: 8001 }, /cannot listen on 127\.0\.0\.1:8001: the port is in use/],
  ])('explains %o', (error, message) => {
    expect(explainStartupError(Object.assign(new Error('x'), error), { databaseVariable: 'DATABASE_URL' })).toMatch(message);
  });

  it('leaves unknown failures (which keep their stack) alone', () => {
    expect(explainStartupError(new TypeError('boom'))).toBeNull();
  });
});
