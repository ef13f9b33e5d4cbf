// Shared by the gateway integration tests: a real stub upstream (HTTP + WS echo
// with misbehaving endpoints) and an in-process gateway built with createGateway,
// an EdgeAuth stub and a log sink of parsed lines. Everything listens on port 0.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { WebSocketServer } from 'ws';
import { createGateway, type Gateway, type GatewayOptions } from '../../../../gateway/app.ts';
import type { AuthenticatedUser, EdgeAuth } from '../../../../gateway/auth/types.ts';
import { parseConfigText } from '../../../../gateway/config/load.ts';
import { readSettings, type GatewaySettings } from '../../../../gateway/config/settings.ts';
import type { GatewayConfig } from '../../../../gateway/config/types.ts';
import { GatewayLifecycle } from '../../../../gateway/http/lifecycle.ts';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';
import type { LocalRoute } from '../../../../gateway/pipeline/context.ts';
import { syncStaticUpstreams } from '../../../../gateway/proxy/static-targets.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';

export interface StubUpstream {
  url: string;
  port: number;
  server: Server;
  wss: WebSocketServer;
  /** Requests seen, most recent last. */
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Connections the upstream has open right now. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Echo upstream: answers {method, url, headers, body}; /slow?ms=N, /reset, /stream, /bad-header misbehave on purpose. */
export async function startStubUpstream(extra: Record<string, Handler> = {}): Promise<StubUpstream> {
  const seen: StubUpstream['seen'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const path = (req.url ?? '/').split('?')[0]!;
    const handler = extra[path] ?? BUILTIN[path] ?? echo;
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // The upstream refuses upgrades to /no-upgrade (to test that refusals are relayed).
  // and never answers upgrades to /hang-upgrade (to test the handshake deadline).
  const wss = new WebSocketServer({
    server,
    verifyClient: (info, done) => {
      if (info.req.url?.startsWith('/hang-upgrade')) return;
      if (info.req.url?.startsWith('/no-upgrade')) done(false, 401, 'nope');
      else done(true);
    },
  });
  wss.on('connection', (ws, req) => {
    ws.on('message', (data, binary) => {
      const text = String(data);
      if (text === 'close-me') ws.close(4000, 'asked');
      else if (text.startsWith('burst:')) for (let i = 0; i < Number(text.slice(6)); i++) ws.send(Buffer.alloc(10_000, i % 256), { binary: true });
      else ws.send(binary ? data : `echo:${text}`, { binary });
    });
    ws.send(JSON.stringify({ hello: req.url, user: req.headers['x-user-id'] ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    wss,
    seen,
    connections: () => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyLength: body.length, body: body.length <= 1024 ? body.toString() : '' }));
  });
}

const BUILTIN: Record<string, Handler> = {
  '/slow': (req, res) => {
    const ms = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('ms') ?? 1000);
    const timer = setTimeout(() => echo(req, res), ms);
    res.on('close', () => clearTimeout(timer));
  },
  '/reset': (req) => req.socket.destroy(),
  '/reset-mid-body': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100' });
    res.write('partial');
    setTimeout(() => res.socket?.destroy(), 20);
  },
  '/bad-header': (req) => {
    req.socket.write('HTTP/1.1 200 OK\r\nX-Bad Header: x\r\nContent-Length: 2\r\n\r\nok');
  },
  '/bad-header-value': (req) => {
    req.socket.write('HTTP/1.1 200 OK\r\nX-Bad: a\x01b\r\nContent-Length: 2\r\n\r\nok');
  },
  '/no-upgrade': (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"detail":"nope"}');
  },
};

export interface TestUser extends AuthenticatedUser {}

/** EdgeAuth stub: "Bearer user" → user 7, "Bearer admin" → admin 1 ("admin-until-<epoch s>": expiring then), "Bearer bad" → 401, anything else anonymous. */
export function stubAuth(): EdgeAuth {
  const users: Record<string, AuthenticatedUser> = {
    user: { userId: 7, email: 'u@example.com', name: 'U', role: 'user', scopes: [], authMethod: 'jwt', expiresAt: null },
    admin: { userId: 1, email: 'a@example.com', name: 'A', role: 'admin', scopes: [], authMethod: 'jwt', expiresAt: null },
  };
  return {
    async authenticate(req, url) {
      const header = req.headers.authorization ?? (url.searchParams.get('token') ? `Bearer ${url.searchParams.get('token')}` : undefined);
      if (!header) return { kind: 'anonymous' };
      const token = header.replace(/^Bearer /, '');
      if (token === 'bad') return { kind: 'rejected', status: 401, detail: 'Invalid token' };
      // "Bearer admin-until-<epoch s>": the admin with a credential that expires then.
      const until = /^admin-until-(\d+)$/.exec(token);
      if (until) return { kind: 'user', user: { ...users.admin!, expiresAt: Number(until[1]) } };
      const user = users[token];
      return user ? { kind: 'user', user } : { kind: 'rejected', status: 401, detail: 'Invalid token' };
    },
    isAdmin: (user) => user.role === 'admin',
    async identityHeaders(user, upstream) {
      return { 'x-user-id': String(user.userId), 'x-user-email': user.email, 'x-user-role': user.role, 'x-user-scopes': user.scopes.join(','), 'x-auth-method': user.authMethod, 'x-gateway-assertion': `signed-for-${upstream}` };
    },
  };
}

export interface TestGateway {
  gateway: Gateway;
  url: string;
  port: number;
  registry: UpstreamRegistry;
  lifecycle: GatewayLifecycle;
  config: GatewayConfig;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export function configFrom(yaml: string, env: NodeJS.ProcessEnv = {}): GatewayConfig {
  const result = parseConfigText(yaml, 'test-routes.yaml', env);
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.line}:${p.path}: ${p.message}`).join('\n'));
  return result.config;
}

export async function startTestGateway(options: {
  yaml: string;
  env?: Record<string, string>;
  auth?: EdgeAuth;
  localRoutes?: LocalRoute[];
  settings?: Partial<GatewaySettings>;
  onAuthInvalidation?: GatewayOptions['onAuthInvalidation'];
  metrics?: GatewayOptions['metrics'];
  spans?: GatewayOptions['spans'];
  sampleNewTraces?: boolean;
  /** A certificate store (or stub): the gateway listens with HTTPS (HTTP/2 + HTTP/1.1) and url is https://localhost:port. */
  tls?: GatewayOptions['tls'];
  rateLimits?: GatewayOptions['rateLimits'];
}): Promise<TestGateway> {
  const config = configFrom(options.yaml, options.env);
  const settings = { ...readSettings({ PORT: '0', LOG_LEVEL: 'debug' }), ...options.settings };
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const logger = createGatewayLogger({ level: 'debug', destination: sink });
  const registry = new UpstreamRegistry();
  syncStaticUpstreams(registry, config);
  const lifecycle = new GatewayLifecycle();
  const gateway = createGateway({ settings, config, registry, auth: options.auth ?? stubAuth(), localRoutes: options.localRoutes ?? [], lifecycle, logger, onAuthInvalidation: options.onAuthInvalidation, metrics: options.metrics, spans: options.spans, sampleNewTraces: options.sampleNewTraces, tls: options.tls, rateLimits: options.rateLimits });
  const port = await gateway.listen();
  return {
    gateway,
    url: options.tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`,
    port,
    registry,
    lifecycle,
    config,
    logs,
    close: () => gateway.close(200),
  };
}

export function serverConnections(server: NetServer): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** Polls until check() is true (socket counts settle asynchronously after close events). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface SimpleResponse {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: () => any;
}

/** One request on its own connection (agent: false), so socket counts are exact. */
export function request(url: string, options: { method?: string; headers?: Record<string, string | string[]>; body?: string | Buffer; path?: string } = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const req = httpRequest({ host: target.hostname, port: target.port, method: options.method ?? 'GET', path: options.path ?? `${target.pathname}${target.search}`, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}
