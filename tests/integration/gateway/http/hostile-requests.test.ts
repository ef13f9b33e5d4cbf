// Findings #3, #5, #6, #11 and #13 (Host) of issue 10, reproduced on raw sockets:
// each request is one an attacker sent to a running stack.
import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLimitedBody } from '../../../../gateway/auth/read-body.ts';
import { request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

/** Writes raw bytes; resolves everything the gateway sent once it closes the connection. */
function rawExchange(port: number, ...parts: string[]): { socket: Socket; reply: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  for (const part of parts) socket.write(part);
  const reply = new Promise<string>((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks).toString())));
  return { socket, reply };
}

function parse(reply: string): { status: number; headers: Record<string, string>; body: unknown } {
  const end = reply.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = reply.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) headers[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
  const body = reply.slice(end + 4);
  return { status: Number(statusLine.split(' ')[1]), headers, body: body ? JSON.parse(body) : null };
}

describe('hostile requests at the edge', () => {
  let stub: StubUpstream;
  let gw: TestGateway;
  beforeEach(async () => {
    stub = await startStubUpstream();
    gw = await startTestGateway({
      yaml: `upstreams:
  stub: { url: ${stub.url} }
routes:
  - { prefix: /pub, upstream: stub, rewrite: "", auth: public }
  - { prefix: /fwd, upstream: stub, rewrite: "", auth: public, forward_authorization: true }
`,
      localRoutes: [
        {
          method: 'POST',
          path: '/local',
          auth: 'public',
          handle: async (ctx) => ({ status: 200, body: { length: (await readLimitedBody(ctx.req, 1024)).length } }),
        },
      ],
    });
  });
  afterEach(async () => {
    await gw.close();
    await stub.close();
  });

  it('#3: does not forward X-API-Key upstream, on public routes too', async () => {
    const res = await request(`${gw.url}/pub/x`, { headers: { 'x-api-key': 'secret-key' } });
    expect(res.status).toBe(200);
    expect(stub.seen.at(-1)!.headers['x-api-key']).toBeUndefined();
  });

  it('#3: forwards X-API-Key to a route that asks for the client credentials', async () => {
    await request(`${gw.url}/fwd/x`, { headers: { 'x-api-key': 'secret-key' } });
    expect(stub.seen.at(-1)!.headers['x-api-key']).toBe('secret-key');
  });

  it('#5: honours Connection: close from the client (says close, then closes)', async () => {
    const { reply } = rawExchange(gw.port, 'GET /pub/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const { status, headers } = parse(await reply);
    expect(status).toBe(200);
    expect(headers.connection).toBe('close');
    expect(headers['keep-alive']).toBeUndefined();
  });

  it.each([
    ['a bad chunk size', 'POST /pub/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
    ['Transfer-Encoding: xchunked', 'POST /pub/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    ['Transfer-Encoding: identity, chunked', 'POST /pub/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'],
    ['CONNECT', 'CONNECT evil.com:443 HTTP/1.1\r\nHost: evil.com:443\r\n\r\n'],
    ['no Host on HTTP/1.1', 'GET /pub/x HTTP/1.1\r\n\r\n'],
    ['two Host headers', 'GET /pub/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
  ])('#6/#13: answers %s with the JSON 400, never forwarding it', async (name, raw) => {
    const { reply } = rawExchange(gw.port, raw);
    const { status, headers, body } = parse(await reply);
    expect(status).toBe(400);
    expect(body).toEqual({ detail: expect.any(String) });
    const expected: Record<string, string> = { 'a bad chunk size': 'BAD_CHUNK', CONNECT: 'CONNECT_NOT_SUPPORTED', 'no Host on HTTP/1.1': 'BAD_HOST', 'two Host headers': 'BAD_HOST' };
    expect(headers['x-gateway-error']).toBe(expected[name] ?? 'BAD_FRAMING');
    expect(stub.seen).toHaveLength(0);
  });

  it('#6: answers a bad chunk size sent to one of the gateway’s own endpoints with the JSON 400', async () => {
    const { reply } = rawExchange(gw.port, 'POST /local HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n');
    const { status, headers, body } = parse(await reply);
    expect(status).toBe(400);
    expect(headers['x-gateway-error']).toBe('BAD_CHUNK');
    expect(body).toEqual({ detail: 'Invalid chunked body' });
  });

  it('accepts HTTP/1.0 without Host', async () => {
    const { reply } = rawExchange(gw.port, 'GET /pub/x HTTP/1.0\r\n\r\n');
    expect(parse(await reply).status).toBe(200);
  });

  it('#11: routes an absolute-form target on its path, not on its query', async () => {
    const { reply } = rawExchange(gw.port, 'GET http://evil.com?/pub/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const { status } = parse(await reply);
    expect(status).toBe(404);
    expect(stub.seen).toHaveLength(0);
  });

  it('#11: an absolute-form target with a real path reaches that path', async () => {
    const { reply } = rawExchange(gw.port, 'GET http://x/pub/y?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(parse(await reply).status).toBe(200);
    expect(stub.seen.at(-1)!.url).toBe('/y?q=1');
  });
});
