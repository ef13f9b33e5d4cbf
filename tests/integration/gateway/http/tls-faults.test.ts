// Bad input and faults at the HTTPS listener (issue 11): plain HTTP sent to the
// TLS port, a connection that never starts or never finishes its handshake, the
// HTTP/2 rapid-reset flood (CVE-2023-44487) and the HPACK bomb. Each is answered
// or cut with one log line while other clients keep being served; every wait is
// on a socket, stream or session event, never on time.
import { once } from 'node:events';
import { constants, type ClientHttp2Session, type ClientSessionOptions } from 'node:http2';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { eventually, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';
import { connectH2, continuationDrip, h2Request, rapidResetFlood, startH2Gateway, startTestTls, type TestTls } from './tls-harness.ts';

const ROUTES = (stub: string) => `upstreams:
  stub: { url: ${stub} }
routes:
  - { prefix: /open, upstream: stub, rewrite: "", auth: public }
  - { prefix: /ws, upstream: stub, rewrite: "", auth: public, websocket: true }
`;

/** Writes bytes on a plain TCP connection and collects what comes back until the gateway closes it. */
function rawExchange(port: number, data?: string | Buffer): { socket: Socket; reply: Promise<string> } {
  const socket = connectTcp(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk) => chunks.push(chunk));
  socket.on('error', () => {});
  if (data !== undefined) socket.write(data);
  return { socket, reply: once(socket, 'close').then(() => Buffer.concat(chunks).toString('latin1')) };
}

describe('HTTPS listener: bad input and faults', () => {
  let tls: TestTls;
  let stub: StubUpstream;
  let gw: TestGateway;
  const sessions: ClientHttp2Session[] = [];
  const session = (options: ClientSessionOptions = {}) => {
    const opened = connectH2(gw.port, tls.pair.cert, options);
    sessions.push(opened);
    return opened;
  };
  beforeEach(async () => {
    tls = await startTestTls();
    stub = await startStubUpstream();
    gw = await startTestGateway({
      yaml: ROUTES(stub.url),
      tls: tls.store,
      settings: { maxHeaderBytes: 4096, tlsHandshakeTimeoutMs: 300, headersTimeoutMs: 300, requestTimeoutMs: 2000 },
    });
  });
  afterEach(async () => {
    for (const opened of sessions.splice(0)) opened.destroy();
    await gw.close();
    await stub.close();
    tls.close();
  });

  it('answers plain HTTP sent to the HTTPS port with a plain-text JSON 400 and one log line', async () => {
    const { reply } = rawExchange(gw.port, 'GET /open/x HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const text = await reply;
    expect(text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(text).toContain('x-gateway-error: PLAIN_HTTP_ON_TLS_PORT');
    expect(JSON.parse(text.split('\r\n\r\n')[1]!)).toEqual({ detail: 'This port speaks HTTPS: the plain HTTP request was refused; use https://' });
    expect(gw.logs.filter((line) => line.code === 'PLAIN_HTTP_ON_TLS_PORT')).toHaveLength(1);
    expect(stub.seen).toHaveLength(0);
  });

  it('closes a connection that sends bytes that are neither TLS nor HTTP, with one log line', async () => {
    const { reply } = rawExchange(gw.port, Buffer.from([0x00, 0x01, 0x02, 0x03]));
    expect(await reply).toBe('');
    expect(gw.logs.filter((line) => line.code === 'NOT_TLS')).toHaveLength(1);
  });

  it('closes a connection that never sends anything after the handshake timeout', async () => {
    const { reply } = rawExchange(gw.port);
    expect(await reply).toBe('');
    expect(gw.logs.filter((line) => line.code === 'TLS_HANDSHAKE_TIMEOUT')).toHaveLength(1);
  });

  it('closes a TLS handshake that starts and never finishes after the handshake timeout', async () => {
    // A record header announcing a 512-byte ClientHello, and only 5 bytes of it.
    const { reply } = rawExchange(gw.port, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03]));
    await reply;
    await eventually(() => gw.logs.some((line) => line.msg === 'TLS handshake failed'));
    expect(gw.logs.find((line) => line.msg === 'TLS handshake failed')).toMatchObject({ code: 'ERR_TLS_HANDSHAKE_TIMEOUT' });
  });

  it('logs a client that refuses the certificate in one line and keeps serving', async () => {
    const socket = connectTls({ host: '127.0.0.1', port: gw.port, servername: 'localhost' });
    const [error] = (await once(socket, 'error').catch((failure: unknown) => [failure])) as [NodeJS.ErrnoException];
    expect(error.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await eventually(() => gw.logs.some((line) => line.msg === 'TLS handshake failed'));
    expect((await h2Request(session(), { ':path': '/open/x' })).status).toBe(200);
  });

  it('answers HTTP/1.1 headers that never finish over TLS with the JSON 408', async () => {
    const socket = connectTls({ host: '127.0.0.1', port: gw.port, servername: 'localhost', ca: tls.pair.cert, ALPNProtocols: ['http/1.1'] });
    await once(socket, 'secureConnect');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => {});
    socket.write('GET /open/x HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    await once(socket, 'close');
    const text = Buffer.concat(chunks).toString();
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(text).toContain('{"detail":"Request timeout"}');
  });

  it('answers an HTTP/2 body that does not arrive within REQUEST_TIMEOUT_MS with the JSON 408, and the session goes on', async () => {
    const client = session();
    const stream = client.request({ ':path': '/open/echo', ':method': 'POST' }, { endStream: false });
    stream.write('only the start of the body');
    const [headers] = (await once(stream, 'response')) as [Record<string, string | number>];
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => {});
    await once(stream, 'close');
    expect(headers[':status']).toBe(408);
    expect(headers['x-gateway-error']).toBe('REQUEST_TIMEOUT');
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({ detail: 'Request timeout' });
    expect((await h2Request(client, { ':path': '/open/x' })).status).toBe(200);
  });

  it('closes an HTTP/2 session whose header block never ends (CONTINUATION a few bytes at a time) after the keep-alive timeout, and serves another client', async () => {
    const h2 = await startH2Gateway(ROUTES, { maxHeaderBytes: 4096, keepAliveTimeoutMs: 500 });
    try {
      // A frame every 400 ms keeps the session from ever being idle for 500 ms; 8
      // CONTINUATION frames (all nghttp2 takes in one block) would hold it 3.2 s.
      const drip = await continuationDrip(h2.gw.port, h2.tls.pair.cert, '/open/x', { intervalMs: 400, maxFrames: 8 });
      expect(drip.closedWhileDripping).toBe(true);
      expect(drip.goawayCode).toBe(constants.NGHTTP2_NO_ERROR);
      expect(h2.stub.seen.filter((seen) => seen.headers['x-drip'] !== undefined)).toHaveLength(0);
      expect((await h2Request(connectH2(h2.gw.port, h2.tls.pair.cert), { ':path': '/open/x' })).status).toBe(200);
    } finally {
      await h2.close();
    }
  });

  it('closes an HTTP/2 session that only sends PINGs, with no stream, after the keep-alive timeout', async () => {
    const h2 = await startH2Gateway(ROUTES, { keepAliveTimeoutMs: 500 });
    const pinger = connectH2(h2.gw.port, h2.tls.pair.cert);
    try {
      expect((await h2Request(pinger, { ':path': '/open/x' })).status).toBe(200);
      let pings = 0;
      // Up to 100 PINGs, one per 50 ms (5 s): a PING is no reason to keep a session that serves nothing.
      const closed = new Promise<boolean>((resolve) => {
        const timer = setInterval(() => {
          if (pinger.closed || pinger.destroyed) return;
          if (++pings > 100) {
            clearInterval(timer);
            resolve(false);
          } else pinger.ping(() => {});
        }, 50);
        pinger.once('close', () => {
          clearInterval(timer);
          resolve(true);
        });
        pinger.once('goaway', () => {
          clearInterval(timer);
          resolve(true);
        });
      });
      expect(await closed).toBe(true);
      expect(pings).toBeLessThan(100);
      // A session with a stream open is not idle: a slow answer outlives the timeout.
      const busy = connectH2(h2.gw.port, h2.tls.pair.cert);
      expect((await h2Request(busy, { ':path': '/open/slow?ms=1200' })).status).toBe(200);
      busy.destroy();
    } finally {
      pinger.destroy();
      await h2.close();
    }
  });

  it('closes an HTTP/2 session that floods HEADERS + RST_STREAM (rapid reset), and serves another client', async () => {
    const bystander = session();
    expect((await h2Request(bystander, { ':path': '/open/x' })).status).toBe(200);
    const { goawayCode } = await rapidResetFlood(gw.port, tls.pair.cert, '/open/slow?ms=5000', 2000);
    expect(goawayCode).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(gw.logs.filter((line) => line.code === 'H2_RAPID_RESET')).toHaveLength(1);
    // Bounded: the burst (100) and a few refills reached the pipeline, not the 2000.
    expect(stub.seen.filter((seen) => seen.url.startsWith('/slow')).length).toBeLessThan(300);
    expect((await h2Request(bystander, { ':path': '/open/x' })).status).toBe(200);
    expect((await h2Request(session(), { ':path': '/open/x' })).status).toBe(200);
    // Every cancelled request was settled (nothing stays in flight for the drain to wait on).
    await eventually(() => gw.gateway.inFlight() === 0);
  });

  it('refuses an HPACK bomb (one header indexed once, referenced a thousand times) on its stream, and keeps serving', async () => {
    // node:http2's own client would refuse to send this: lift its sending limits.
    const attacker = session({ maxSendHeaderBlockLength: 2 ** 31, maxHeaderListPairs: 5000, maxSessionMemory: 1000 });
    await h2Request(attacker, { ':path': '/open/x' });
    const before = attacker.socket.bytesWritten;
    // A 2900-byte value fits the 4 KiB HPACK table, so the encoder indexes it once and
    // then sends 1-2 byte references: ~2.9 MB of headers from a few KB on the wire.
    const res = await h2Request(attacker, { ':path': '/open/x', 'x-bomb': Array.from({ length: 1000 }, () => 'b'.repeat(2900)) });
    const sent = attacker.socket.bytesWritten - before;
    expect(sent).toBeGreaterThan(2900);
    expect(sent).toBeLessThan(16 * 1024);
    // Refused while decoding (128 fields at most, 4x MAX_HEADER_BYTES in all), never answered.
    expect(res.status).toBe(0);
    expect(res.rstCode).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(stub.seen.filter((seen) => seen.headers['x-bomb'] !== undefined)).toHaveLength(0);
    // The same session and other clients go on.
    expect((await h2Request(attacker, { ':path': '/open/x' })).status).toBe(200);
    expect((await h2Request(session(), { ':path': '/open/x' })).status).toBe(200);
  });

  it('refuses a header list past the hard cap (few fields, large values) on its stream, and the session goes on', async () => {
    const client = session();
    // SETTINGS_MAX_HEADER_LIST_SIZE binds once the client acknowledged it (RFC 9113 §6.5.3): after the first exchange.
    await h2Request(client, { ':path': '/open/x' });
    const res = await h2Request(client, { ':path': '/open/x', ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x-large-${i}`, String(i).repeat(3000)])) });
    expect(res.rstCode).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect((await h2Request(client, { ':path': '/open/x' })).status).toBe(200);
  });

  it('carries wss:// over HTTP/1.1 for a client that offers h2 too (no extended CONNECT: the client uses http/1.1)', async () => {
    const socket = new WebSocket(`wss://localhost:${gw.port}/ws/chat`, { ca: tls.pair.cert, ALPNProtocols: ['http/1.1'] } as WebSocket.ClientOptions);
    const [hello] = (await once(socket, 'message')) as [Buffer];
    expect(JSON.parse(String(hello))).toMatchObject({ hello: '/chat' });
    socket.send('ping');
    const [echo] = (await once(socket, 'message')) as [Buffer];
    expect(String(echo)).toBe('echo:ping');
    socket.close();
    await once(socket, 'close');
  });

  it('drains HTTP/2 with GOAWAY: the request in flight is answered, then the session ends', async () => {
    const client = session();
    await h2Request(client, { ':path': '/open/x' });
    const inFlight = h2Request(client, { ':path': '/open/slow?ms=300' });
    await eventually(() => stub.seen.some((seen) => seen.url.startsWith('/slow')));
    const goaway = once(client, 'goaway');
    const closing = gw.gateway.close(5000);
    await goaway;
    expect((await inFlight).status).toBe(200);
    await closing;
  });
});
