import { connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, request, serverConnections, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

/** Writes raw bytes and collects everything the gateway sends until it closes the connection. */
function rawExchange(port: number, ...parts: Array<string | Buffer>): { socket: Socket; reply: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  for (const part of parts) socket.write(part);
  const reply = new Promise<string>((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks).toString())));
  return { socket, reply };
}

function parse(reply: string): { status: number; body: unknown } {
  const [head = '', body = ''] = reply.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), body: body ? JSON.parse(body) : null };
}

describe('connection limits', () => {
  let stub: StubUpstream;
  let gw: TestGateway;
  beforeEach(async () => {
    stub = await startStubUpstream();
    gw = await startTestGateway({
      yaml: `upstreams:
  stub: { url: ${stub.url} }
routes:
  - { prefix: /small, upstream: stub, rewrite: "", auth: public, body_limit: 1kb }
  - { prefix: /big, upstream: stub, rewrite: "", auth: public, body_limit: 1mb }
`,
      settings: { maxHeaderBytes: 4096, headersTimeoutMs: 300, requestTimeoutMs: 2000 },
    });
  });
  afterEach(async () => {
    await gw.close();
    await stub.close();
  });

  it('answers oversized headers with 431 JSON', async () => {
    const res = await request(`${gw.url}/small/x`, { headers: { 'x-big': 'a'.repeat(8000) } });
    expect(res.status).toBe(431);
    expect(res.json()).toEqual({ detail: 'Request header fields too large' });
    expect(stub.seen).toHaveLength(0);
  });

  it('answers a body over the route limit with 413 from Content-Length, before the upstream sees it', async () => {
    const res = await request(`${gw.url}/small/x`, { method: 'POST', body: Buffer.alloc(2048) });
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ detail: 'Request body too large (limit 1024 bytes)' });
    expect(stub.seen).toHaveLength(0);
  });

  it('lets a body under the limit of another route through', async () => {
    const res = await request(`${gw.url}/big/x`, { method: 'POST', body: Buffer.alloc(200_000, 1) });
    expect(res.status).toBe(200);
    expect(res.json().bodyLength).toBe(200_000);
  });

  it('answers a chunked body that grows past the limit with 413 and cancels the upstream request', async () => {
    const { reply } = rawExchange(
      gw.port,
      'POST /small/slow?ms=2000 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
      `400\r\n${'a'.repeat(1024)}\r\n`,
      `400\r\n${'b'.repeat(1024)}\r\n0\r\n\r\n`,
    );
    const { status, body } = parse(await reply);
    expect(status).toBe(413);
    expect(body).toEqual({ detail: 'Request body too large (limit 1024 bytes)' });
    await eventually(async () => (await stub.connections()) === 0);
  });

  it('closes a connection whose headers never finish (slowloris) with 408', async () => {
    const { reply } = rawExchange(gw.port, 'GET /small/x HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const { status, body } = parse(await reply);
    expect(status).toBe(408);
    expect(body).toEqual({ detail: 'Request timeout' });
    expect(stub.seen).toHaveLength(0);
  });

  it('closes a connection whose body never finishes', async () => {
    const { reply } = rawExchange(gw.port, 'POST /big/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-part');
    const text = await reply;
    // The upstream was already streaming; the client must see the exchange cut or a 408, never a success.
    expect(text.startsWith('HTTP/1.1 200')).toBe(false);
    await eventually(async () => (await serverConnections(gw.gateway.server)) === 0);
  });

  it.each([
    ['a malformed request line', 'GARBAGE\r\n\r\n'],
    ['an invalid header name', 'GET /small/x HTTP/1.1\r\nBad Header: x\r\n\r\n'],
  ])('answers %s with 400 JSON, never a stack trace', async (_name, bytes) => {
    const { reply } = rawExchange(gw.port, bytes);
    const { status, body } = parse(await reply);
    expect(status).toBe(400);
    expect(body).toEqual({ detail: 'Bad Request' });
  });

  it('cuts a request whose chunked body turns malformed mid-way, without a success or a crash', async () => {
    const { reply } = rawExchange(gw.port, 'POST /small/slow?ms=300 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', '2\r\nok\r\nzz\r\n');
    expect((await reply).startsWith('HTTP/1.1 200')).toBe(false);
    expect((await request(`${gw.url}/small/x`)).status).toBe(200);
  });

  it('leaks no sockets after limit violations', async () => {
    await Promise.all([
      request(`${gw.url}/small/x`, { headers: { 'x-big': 'a'.repeat(8000) } }).catch(() => null),
      request(`${gw.url}/small/x`, { method: 'POST', body: Buffer.alloc(4096) }).catch(() => null),
      rawExchange(gw.port, 'GARBAGE\r\n\r\n').reply,
      rawExchange(gw.port, 'GET / HTTP/1.1\r\n').reply,
    ]);
    await eventually(async () => (await serverConnections(gw.gateway.server)) === 0);
  });
});
