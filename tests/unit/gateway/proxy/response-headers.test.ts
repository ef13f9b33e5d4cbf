// The relayed response head: the gateway's own headers plus the upstream's
// (hop-by-hop and x-auth-invalidate taken off, CORS left to the gateway),
// written by one writeHead — Node's path that stores nothing per header — and a
// head Node refuses to write goes again without the offending fields.
import { createServer, request, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { relayResponseHeaders, writeRelayedHead } from '../../../../gateway/proxy/response-headers.ts';

let closeServer: (() => Promise<void>) | null = null;
afterEach(async () => {
  await closeServer?.();
  closeServer = null;
});

/** Serves one response written by `answer`, returns what a client saw and what `answer` reported. */
async function serveOnce<T>(answer: (res: ServerResponse) => T): Promise<{ status: number; message: string; headers: IncomingHttpHeaders; report: T }> {
  let report!: T;
  const server = createServer((_req, res) => {
    report = answer(res);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, message: res.statusMessage ?? '', headers: res.headers, report }));
    })
      .on('error', reject)
      .end();
  });
}

describe('relayResponseHeaders', () => {
  it('puts the gateway headers first, lets the upstream echo win, and drops hop-by-hop fields and x-auth-invalidate', () => {
    const res = { hasHeader: () => false, writeHead: () => res } as never;
    const relayed = relayResponseHeaders(
      res,
      { 'x-request-id': 'gateway-id', traceresponse: '00-trace' },
      { 'x-request-id': 'echoed-id', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'transfer-encoding': 'chunked', 'content-type': 'text/plain', 'x-auth-invalidate': 'user=7' },
      false,
    );
    expect(relayed.headers).toEqual({ 'x-request-id': 'echoed-id', traceresponse: '00-trace', 'content-type': 'text/plain' });
    expect(relayed.invalidations).toEqual([{ kind: 'user', id: 7 }]);
  });

  it('leaves Access-Control-* to the gateway when its CORS stage answered, and keeps Origin in Vary', () => {
    const res = { hasHeader: (name: string) => name === 'access-control-allow-origin', writeHead: () => res } as never;
    const relayed = relayResponseHeaders(res, {}, { 'access-control-allow-origin': '*', vary: 'Accept-Encoding', etag: '"1"' }, true);
    expect(relayed.headers).toEqual({ vary: 'Accept-Encoding, Origin', etag: '"1"' });
    // Without an Origin header the CORS stage did nothing: the upstream's headers pass.
    expect(relayResponseHeaders(res, {}, { 'access-control-allow-origin': '*' }, false).headers).toEqual({ 'access-control-allow-origin': '*' });
  });
});

describe('writeRelayedHead', () => {
  it('writes the head in one writeHead, storing no header on the response (Node’s one-object path)', async () => {
    const seen = await serveOnce((res) => {
      writeRelayedHead(res, 201, 'Made', { 'x-request-id': 'r1', 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
      return res.getHeaderNames();
    });
    expect(seen.report).toEqual([]);
    expect(seen.status).toBe(201);
    expect(seen.message).toBe('Made');
    expect(seen.headers).toMatchObject({ 'x-request-id': 'r1', 'set-cookie': ['a=1', 'b=2'], 'content-type': 'text/plain' });
  });

  it('merges with headers the gateway set on the response before (HSTS, CORS, rate limits)', async () => {
    const seen = await serveOnce((res) => {
      res.setHeader('strict-transport-security', 'max-age=60');
      writeRelayedHead(res, 200, undefined, { 'x-request-id': 'r2' });
    });
    expect(seen.headers).toMatchObject({ 'strict-transport-security': 'max-age=60', 'x-request-id': 'r2' });
  });

  it.each([
    ['a value with a control character', { 'x-bad': 'a\u0001b' }],
    ['a name that is not a token', { 'x bad': 'v' }],
  ])('drops %s and writes the rest instead of throwing', async (_case, bad) => {
    for (const preset of [false, true]) {
      const seen = await serveOnce((res) => {
        if (preset) res.setHeader('x-preset', '1');
        writeRelayedHead(res, 200, undefined, { 'x-request-id': 'r3', ...bad, 'x-after': 'kept' });
      });
      expect(seen.status).toBe(200);
      expect(seen.headers['x-request-id']).toBe('r3');
      expect(seen.headers['x-after']).toBe('kept');
      expect(Object.keys(seen.headers).filter((name) => name.includes('bad'))).toEqual([]);
      await closeServer?.();
      closeServer = null;
    }
  });
});
