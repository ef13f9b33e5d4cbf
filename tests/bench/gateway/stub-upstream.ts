// The fast upstream every benchmark row proxies to: plain node:http with
// keep-alive, a small JSON answer for GET and an echo of the body for POST, so
// the proxy (not the upstream) is what the numbers measure. Runs as its own
// process and logs {"msg":"listening","port":N} like the project's services.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const SMALL = Buffer.from(JSON.stringify({ status: 'ok', service: 'bench-stub', items: [1, 2, 3] }));
/**
 * The orm's answer to the gateway's "who is user N now" (gateway/auth/orm-client.ts
 * lookupUser): the gateway+JWT row's token names this user, and the gateway asks
 * once per user-cache period (≤ 5 s), as it would ask the real orm.
 */
const BENCH_USER = Buffer.from(JSON.stringify({ uid: 4242, mail: 'bench-user@fullon.test', name: 'bench', role: 'user', active: true }));
const USER_STATUS_PATH = '/internal/auth/user-status';
/**
 * The orm's revocation stream (gateway/auth/orm-revocation-feed.ts): held open
 * and quiet like the real orm's. Answered like any GET it would end at once, and
 * the gateway, seeing a gap each time, would forget every cached credential
 * over and over: the JWT row would measure that instead of the hot path.
 */
const EVENTS_PATH = '/internal/auth/events';

function holdEventStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(': bench stub\n\n');
}

function answerSmall(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json', 'content-length': SMALL.length });
  response.end(SMALL);
}

/** Echo the body back; collected first so the answer carries a content-length like a typical API. */
function echoBody(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    response.writeHead(200, {
      'content-type': request.headers['content-type'] ?? 'application/octet-stream',
      'content-length': body.length,
    });
    response.end(body);
  });
}

function answerUserStatus(request: IncomingMessage, response: ServerResponse): void {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': BENCH_USER.length });
    response.end(BENCH_USER);
  });
}

const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  if (request.url === USER_STATUS_PATH) answerUserStatus(request, response);
  else if (request.url === EVENTS_PATH) holdEventStream(response);
  else if (request.method === 'POST' || request.method === 'PUT') echoBody(request, response);
  else answerSmall(response);
});
// No per-socket request cap: proxies keep their upstream sockets for the whole run.
server.maxRequestsPerSocket = 0;
server.headersTimeout = 66_000;

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
});

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
