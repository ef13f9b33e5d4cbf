import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logAccess, redactQuery } from '../../../../gateway/logging/access-log.ts';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';
import { createContext } from '../../../../gateway/pipeline/context.ts';
import type { IncomingMessage } from 'node:http';

describe('redactQuery', () => {
  it.each([
    ['', ''],
    ['a=1&b=2', 'a=1&b=2'],
    ['token=abc.def', 'token=[redacted]'],
    ['x=1&api_key=fullon_ak_1&y=2', 'x=1&api_key=[redacted]&y=2'],
    ['PASSWORD=hunter2', 'PASSWORD=[redacted]'],
    ['secret=s&key=k&access_token=t', 'secret=[redacted]&key=[redacted]&access_token=[redacted]'],
    ['%74oken=abc', '%74oken=[redacted]'],
    ['tokens=keep&monkey=keep', 'tokens=keep&monkey=keep'],
    // Issue 10 #13: the names the attack run found unredacted, and their case variants.
    ...['jwt', 'auth', 'authorization', 'bearer', 'api-key', 'API-Key', 'pwd', 'session', 'Session', 'token[]', 'token[0]', '%74oken%5B%5D', 'JWT', 'Bearer'].map(
      (name) => [`${name}=s3cr3t&page=2`, `${name}=[redacted]&page=2`] as [string, string],
    ),
  ])('%s → %s', (query, expected) => {
    expect(redactQuery(query)).toBe(expected);
  });
});

describe('logAccess', () => {
  it('writes one parsed line with the request facts and no secrets', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const logger = createGatewayLogger({ level: 'info', destination: sink });
    const req = { method: 'GET', url: '/api/v1/cache/ws?token=abc', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const ctx = createContext(req, null, null, null);
    Object.assign(ctx, { path: '/api/v1/cache/ws', rawPath: '/api/v1/cache/ws', query: 'token=abc&x=1', status: 101, requestId: 'req-12345678', upstream: 'cache', user: { userId: 7 } });
    logAccess(logger, ctx);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'GET', path: '/api/v1/cache/ws?token=[redacted]&x=1', status: 101, upstream: 'cache', request_id: 'req-12345678', user_id: 7, websocket: true });
    expect(typeof lines[0]!.duration_ms).toBe('number');
    expect(JSON.stringify(lines[0])).not.toContain('abc');
  });

  it('logs the path as the client sent it, so an encoded "?" never reads as a query', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const logger = createGatewayLogger({ level: 'info', destination: sink });
    const req = { method: 'GET', url: '/x', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const ctx = createContext(req, null, null, null);
    Object.assign(ctx, { path: '/api/v1/ohlcv/x?token=abc', rawPath: '/api/v1/ohlcv/x%3Ftoken=abc', query: '', status: 404, requestId: 'req-12345678' });
    logAccess(logger, ctx);
    expect(lines[0]).toMatchObject({ path: '/api/v1/ohlcv/x%3Ftoken=abc' });
  });

  it.each([
    [503, true, 30],
    [503, false, 50],
    [502, true, 50],
    [500, false, 50],
    [404, false, 30],
  ])('logs a %i (starting up: %s) at level %i', (status, startingUp, level) => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const logger = createGatewayLogger({ level: 'info', destination: sink });
    const req = { method: 'GET', url: '/health/check', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const ctx = createContext(req, null, null, null);
    Object.assign(ctx, { path: '/health/check', rawPath: '/health/check', query: '', status, requestId: 'req-12345678' });
    logAccess(logger, ctx, startingUp);
    expect(lines[0]).toMatchObject({ status, level });
  });
});
