// HTTP server of the fake exchange: the Kraken REST endpoints (kraken-api.ts),
// Kraken's WebSocket v2 ticker channel at /v2 (kraken-ws.ts), plus a small control API for tests under /__fake/: inject faults (429, 5xx,
// garbage, timeouts) on the next N requests, read request counters.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeKraken, type FakeAccount } from './kraken-api.ts';
import { FakeKrakenWs } from './kraken-ws.ts';
import { makePairs } from './market-model.ts';

export type FaultMode = '429' | '500' | '503' | 'garbage' | 'timeout' | 'reset';

export interface FakeExchangeOptions {
  port?: number;
  host?: string;
  pairs?: number;
  tickMs?: number;
  account?: Partial<FakeAccount>;
}

export interface FakeExchange {
  url: string;
  kraken: FakeKraken;
  server: Server;
  /** The next `count` requests whose path starts with `prefix` fail with `mode`. */
  fault(mode: FaultMode, count: number, prefix?: string): void;
  requests(): Record<string, number>;
  close(): Promise<void>;
}

export const FAKE_ACCOUNT: FakeAccount = {
  apiKey: 'fake-api-key',
  // base64 of "fake-exchange-test-account-secret"
  secret: Buffer.from('fake-exchange-test-account-secret').toString('base64'),
  balances: { ZUSD: 10_000, XXBT: 0.5, XETH: 3 },
};

const MAX_BODY = 64 * 1024;

export async function startFakeExchange(options: FakeExchangeOptions = {}): Promise<FakeExchange> {
  const kraken = new FakeKraken({ pairs: makePairs(options.pairs ?? 20), account: { ...FAKE_ACCOUNT, ...options.account }, tickMs: options.tickMs ?? 250 });
  const faults: Array<{ mode: FaultMode; left: number; prefix: string }> = [];
  const counters: Record<string, number> = {};
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/__fake/')) return control(req, res, url);
    counters[url.pathname] = (counters[url.pathname] ?? 0) + 1;
    const body = req.method === 'POST' ? await readBody(req) : '';
    const fault = faults.find((f) => f.left > 0 && url.pathname.startsWith(f.prefix));
    if (fault) {
      fault.left--;
      return injure(res, fault.mode);
    }
    const reply = kraken.handle(req.method ?? 'GET', url.pathname, url.searchParams, req.headers, body);
    send(res, reply.status, reply.body);
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'GET' && url.pathname === '/__fake/requests') return send(res, 200, counters);
    if (req.method === 'GET' && url.pathname === '/__fake/info') return send(res, 200, { tick_ms: kraken.tickMs, pairs: kraken.pairs.map((p) => ({ id: p.id, symbol: p.symbol })), api_key: kraken.account.apiKey, ws_connections_accepted: ws.accepted });
    if (req.method === 'POST' && url.pathname === '/__fake/fault') {
      const spec = JSON.parse((await readBody(req)) || '{}') as { mode?: FaultMode; count?: number; prefix?: string };
      if (!spec.mode || !['429', '500', '503', 'garbage', 'timeout', 'reset'].includes(spec.mode)) return send(res, 422, { detail: 'mode must be 429, 500, 503, garbage, timeout or reset' });
      faults.push({ mode: spec.mode, left: Math.max(1, Math.min(1_000_000, spec.count ?? 1)), prefix: spec.prefix ?? '/' });
      return send(res, 200, { status: 'armed' });
    }
    if (req.method === 'POST' && url.pathname === '/__fake/ws-drop') {
      return send(res, 200, { status: 'dropped', sockets: ws.dropAll() });
    }
    if (req.method === 'POST' && url.pathname === '/__fake/clear') {
      faults.length = 0;
      return send(res, 200, { status: 'cleared' });
    }
    send(res, 404, { detail: 'Not Found' });
  }

  function injure(res: ServerResponse, mode: FaultMode): void {
    if (mode === '429') return send(res, 429, { error: ['EAPI:Rate limit exceeded'] });
    if (mode === '500' || mode === '503') return send(res, Number(mode), { error: ['EService:Unavailable'] });
    if (mode === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"error": [], "result": {"oops');
      return;
    }
    if (mode === 'reset') {
      res.socket?.destroy();
      return;
    }
    // timeout: never answer; closed with the server.
    hanging.add(res);
    res.once('close', () => hanging.delete(res));
  }

  const ws = new FakeKrakenWs(kraken);
  server.on('upgrade', (request, socket, head) => ws.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    kraken,
    server,
    fault: (mode, count, prefix = '/') => faults.push({ mode, left: count, prefix }),
    requests: () => ({ ...counters }),
    close: async () => {
      ws.close();
      for (const res of hanging) res.socket?.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
