import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { closeSocket } from '../../../../gateway/proxy/ws-close.ts';
import { eventually, serverConnections, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from './harness.ts';

function routesFor(stub: StubUpstream): string {
  return `upstreams:
  stub: { url: ${stub.url} }
  refused: { url: http://127.0.0.1:1 }
routes:
  - { prefix: /ws/public, upstream: stub, rewrite: "", auth: public, websocket: true }
  - { prefix: /ws/user, upstream: stub, rewrite: "", auth: user, websocket: true }
  - { prefix: /http-only, upstream: stub, auth: public }
  - { prefix: /ws/refused, upstream: refused, auth: public, websocket: true }
  - { prefix: /ws/fast, upstream: stub, rewrite: "", auth: public, websocket: true, timeout: 200ms }
`;
}

function open(url: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; first: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    ws.once('message', (data) => resolve({ ws, first: String(data) }));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })));
    });
  });
}

function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
}

describe('WebSocket proxying', () => {
  let stub: StubUpstream;
  let gw: TestGateway;
  let wsBase: string;
  beforeEach(async () => {
    stub = await startStubUpstream();
    gw = await startTestGateway({ yaml: routesFor(stub) });
    wsBase = gw.url.replace('http', 'ws');
  });
  afterEach(async () => {
    await gw.close();
    await stub.close();
  });

  it('upgrades a path with an encoded symbol and forwards it as sent', async () => {
    const { ws, first } = await open(`${wsBase}/ws/public/tickers/binance/BTC%2FUSDT`);
    expect(JSON.parse(first)).toEqual({ hello: '/tickers/binance/BTC%2FUSDT', user: null });
    ws.close();
  });

  it('relays frames both ways with the prefix stripped', async () => {
    const { ws, first } = await open(`${wsBase}/ws/public/tickers/abc?x=1`);
    expect(JSON.parse(first)).toEqual({ hello: '/tickers/abc?x=1', user: null });
    const reply = new Promise((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('ping');
    expect(await reply).toBe('echo:ping');
    ws.close();
    await closed(ws);
  });

  it('authenticates before the 101 and forwards the identity', async () => {
    const { ws, first } = await open(`${wsBase}/ws/user/x`, { headers: { authorization: 'Bearer user', 'x-user-id': '1' } });
    expect(JSON.parse(first).user).toBe('7');
    ws.terminate();
  });

  it.each([
    ['/ws/user/x', {}, 401, { detail: 'Not authenticated' }],
    // An encoded "?" is part of the path, never a query carrying a token.
    ['/ws/user/x%3Ftoken=user', {}, 401, { detail: 'Not authenticated' }],
    ['/http-only/x', {}, 400, { detail: 'WebSocket upgrades are not allowed on this route' }],
    ['/nowhere', {}, 404, { detail: 'Not Found' }],
    ['/ws/public%2f..%2fuser/x', {}, 400, { detail: 'Invalid path: dot segment' }],
    ['/ws/refused/x', {}, 502, { detail: 'Upstream refused refused the connection' }],
  ])('refuses an upgrade to %s with %s and a JSON body, without upgrading', async (path, headers, status, body) => {
    const error = await open(`${wsBase}${path}`, { headers }).then(() => null, (e: { status?: number; body?: string }) => e);
    expect(error?.status).toBe(status);
    expect(JSON.parse(error!.body!)).toEqual(body);
  });

  it('answers 503 to an upgrade when the upstream is known down', async () => {
    gw.registry.setProcessState('stub', { up: false, reason: 'starting', retryAfterS: 2 });
    const error = await open(`${wsBase}/ws/public/x`).then(() => null, (e: { status?: number; headers?: Record<string, string> }) => e);
    expect(error?.status).toBe(503);
    expect(error?.headers?.['retry-after']).toBe('2');
  });

  it('answers 504 when the upstream does not answer the upgrade within the route timeout', async () => {
    const error = await open(`${wsBase}/ws/fast/hang-upgrade`).then(() => null, (e: { status?: number; body?: string }) => e);
    expect(error?.status).toBe(504);
    expect(JSON.parse(error!.body!)).toEqual({ detail: 'Upstream stub did not answer in time' });
    await eventually(async () => (await serverConnections(gw.gateway.server)) === 0);
  });

  it('relays an upstream refusal of the upgrade as is', async () => {
    const error = await open(`${wsBase}/ws/public/no-upgrade`).then(() => null, (e: { status?: number; body?: string }) => e);
    expect(error?.status).toBe(401);
    expect(error?.body).toBe('nope');
  });

  it('closes a socket with 1008 mid-stream at a frame boundary, without corrupting frames', async () => {
    const { ws } = await open(`${wsBase}/ws/public/x`);
    const frames: Buffer[] = [];
    let errors = 0;
    ws.on('error', () => errors++);
    ws.on('message', (data) => frames.push(data as Buffer));
    const done = closed(ws);
    ws.send('burst:200');
    await eventually(() => frames.length > 5);
    const [ctx] = gw.gateway.webSockets();
    expect(closeSocket(ctx!, 1008, 'token expired')).toBe(true);
    expect(await done).toEqual({ code: 1008, reason: 'token expired' });
    expect(errors).toBe(0);
    // Every frame that arrived is whole: 10 000 bytes of one repeated value.
    for (const [i, frame] of frames.entries()) {
      expect(frame.length).toBe(10_000);
      expect(frame.every((byte) => byte === i % 256)).toBe(true);
    }
    await eventually(() => gw.gateway.webSockets().size === 0);
  });

  it('passes a close started by the upstream through to the client', async () => {
    const { ws } = await open(`${wsBase}/ws/public/x`);
    const done = closed(ws);
    ws.send('close-me');
    expect(await done).toEqual({ code: 4000, reason: 'asked' });
  });

  it('keeps open sockets across a route table swap and closes them with 1001 on shutdown', async () => {
    const { ws } = await open(`${wsBase}/ws/public/x`);
    gw.gateway.applyConfig(gw.config);
    const reply = new Promise((resolve) => ws.once('message', (data) => resolve(String(data))));
    ws.send('still here');
    expect(await reply).toBe('echo:still here');
    const done = closed(ws);
    await gw.gateway.close(2000);
    expect(await done).toEqual({ code: 1001, reason: 'Gateway shutting down' });
  });

  it('leaks no sockets when clients vanish mid-stream', async () => {
    const sockets = await Promise.all(Array.from({ length: 10 }, () => open(`${wsBase}/ws/public/x`)));
    for (const { ws } of sockets) ws.terminate();
    await eventually(async () => (await serverConnections(gw.gateway.server)) === 0 && (await stub.connections()) === 0 && gw.gateway.webSockets().size === 0);
  });
});
