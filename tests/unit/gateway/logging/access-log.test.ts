import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAccessLog, redactQuery } from '../../../../gateway/logging/access-log.ts';
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

describe('createAccessLog', () => {
  it('writes one parsed line with the request facts and no secrets', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
    const logger = createGatewayLogger({ level: 'info', destination: sink });
    const req = { method: 'GET', url: '/api/v1/cache/ws?token=abc', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const ctx = createContext(req, null, null, null);
    Object.assign(ctx, { path: '/api/v1/cache/ws', rawPath: '/api/v1/cache/ws', query: 'token=abc&x=1', status: 101, requestId: 'req-12345678', upstream: 'cache', user: { userId: 7 } });
    createAccessLog(logger)(ctx);
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
    createAccessLog(logger)(ctx);
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
    createAccessLog(logger)(ctx, startingUp);
    expect(lines[0]).toMatchObject({ status, level });
  });
});

describe('the access line without pino', () => {
  // The access log builds the common line itself (no cause to serialize); pino writes the one with a cause.
  // Both must give the same bytes, so a log shipper never sees two shapes of one line.
  const facts = [
    { status: 200, upstream: 'cache', user: { userId: 7 }, traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
    { status: 404, traceId: '', spanId: '' },
    { status: 502, upstream: 'orm_api', errorCode: 'UPSTREAM_UNAVAILABLE', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
    { status: 101, upstream: 'cache', isUpgrade: true, traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
  ];
  // Every field the line quotes, plain and with what JSON must escape (or may leave as it is: DEL, non-ASCII).
  const quoted = [
    { status: 200, upstream: 'orm_api', requestId: '3b1c9a0e-5d7c-4c4a-9d1e-0a1b2c3d4e5f', rawPath: '/api/v1/orm/users', query: '', traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
    { status: 500, upstream: 'a\\b"c', errorCode: 'X\u007f\u00e9', requestId: 'r\\"\t\u001f', rawPath: '/p\\q\u007f\u00e9', query: '', traceId: 't\u2029', spanId: '\u0000s' },
    // One character to escape and nothing else, in each field.
    { status: 502, upstream: 'u\\', errorCode: 'E"', requestId: 'id\\x', rawPath: '/a\\b', query: '', traceId: '\n', spanId: '\u001f' },
  ];

  function linesOf(write: (logger: ReturnType<typeof createGatewayLogger>) => void): string[] {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    write(createGatewayLogger({ level: 'info', destination: sink }).child({ worker: 2 }, { redact: { paths: [] } }));
    return lines;
  }

  it.each(facts)('writes what pino writes for %j', (fields) => {
    const req = { method: 'GET', url: '/api/v1/cache/x?a="1"', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const ctx = Object.assign(createContext(req, null, null, null), { path: '/api/v1/cache/x', rawPath: '/api/v1/cache/x\u2028"q"', query: 'a="1"&token=t', requestId: 'req-\u0001-1' }, fields);
    const [fast] = linesOf((logger) => createAccessLog(logger)(ctx));
    const [viaPino] = linesOf((logger) => {
      const entry = JSON.parse(fast!) as Record<string, unknown>;
      const { level, time, name, worker, service, pid, msg, ...rest } = entry;
      void [time, name, worker, service, pid, msg];
      logger[level === 50 ? 'error' : 'info'](rest, 'request');
    });
    expect(fast!.endsWith('\n')).toBe(true);
    // Identical but for the clock.
    expect(fast!.replace(/"time":\d+/, '"time":0')).toBe(viaPino!.replace(/"time":\d+/, '"time":0'));
    expect(JSON.parse(fast!)).toMatchObject({ level: expect.any(Number), name: 'gateway', worker: 2, service: 'gateway', pid: process.pid, path: '/api/v1/cache/x\u2028"q"?a="1"&token=[redacted]', request_id: 'req-\u0001-1', msg: 'request' });
  });

  it.each(quoted)('quotes each field as pino does: %j', (fields) => {
    const req = { method: 'GET', url: '/', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    const ctx = Object.assign(createContext(req, null, null, null), fields);
    const [fast] = linesOf((logger) => createAccessLog(logger)(ctx));
    const [viaPino] = linesOf((logger) => {
      const { level, time, name, worker, service, pid, msg, ...rest } = JSON.parse(fast!) as Record<string, unknown>;
      void [time, name, worker, service, pid, msg];
      logger[level === 50 ? 'error' : 'info'](rest, 'request');
    });
    expect(fast!.replace(/"time":\d+/, '"time":0')).toBe(viaPino!.replace(/"time":\d+/, '"time":0'));
  });

  it("takes the direct path for a line without a cause, and pino's for one with a cause", () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = createGatewayLogger({ level: 'info', destination: sink });
    const viaPino: string[] = [];
    const error = logger.error.bind(logger);
    Object.assign(logger, { info: () => viaPino.push('info'), error: (...args: Parameters<typeof logger.error>) => (viaPino.push('error'), error(...args)) });
    const req = { method: 'GET', url: '/x', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    createAccessLog(logger)(Object.assign(createContext(req, null, null, null), { rawPath: '/x', status: 200 }));
    createAccessLog(logger)(Object.assign(createContext(req, null, null, null), { rawPath: '/x', status: 502, errorCause: { message: 'socket hang up', code: 'ECONNRESET' } }));
    expect(viaPino).toEqual(['error']);
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ status: 200 }, { status: 502, err: { message: 'socket hang up', code: 'ECONNRESET' } }]);
  });

  it('is not written below the logger level', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const logger = createGatewayLogger({ level: 'warn', destination: sink });
    const req = { method: 'GET', url: '/x', headers: {}, socket: { remoteAddress: '127.0.0.1' } } as unknown as IncomingMessage;
    createAccessLog(logger)(Object.assign(createContext(req, null, null, null), { rawPath: '/x', status: 200 }));
    createAccessLog(logger)(Object.assign(createContext(req, null, null, null), { rawPath: '/x', status: 502 }));
    expect(lines.map((line) => JSON.parse(line).status)).toEqual([502]);
  });
});
