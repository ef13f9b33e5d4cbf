// The real gateway process started with TLS_CERT_FILE/TLS_KEY_FILE and two
// workers: an HTTPS request (HTTP/1.1 and HTTP/2) and a wss:// WebSocket reach
// an upstream through it with the certificate verified against the test's own
// CA (no rejectUnauthorized: false), HSTS is on the answers, and the certificate
// files replaced on disk reach new connections of every worker while a broken
// replacement is refused with one line per worker. Waits are on log lines and
// sockets, never on time.
import { once } from 'node:events';
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { collectLines, createWorkspace, ROOT, type Workspace } from '../process/harness.ts';
import { startStubUpstream, type StubUpstream } from '../proxy/harness.ts';
import { makeTestPair, writeTestPair, type TestPair } from '../../../helpers/test-certificates.ts';

const NAME = 'gateway.test';
const parse = (line: string) => JSON.parse(line) as Record<string, unknown>;
const isJson = (line: string) => line.startsWith('{');

let ws: Workspace;
let upstream: StubUpstream;
let child: ChildProcess;
let log: ReturnType<typeof collectLines>;
let port: number;
let certFile: string;
let keyFile: string;
let served: TestPair;

beforeAll(async () => {
  ws = createWorkspace();
  upstream = await startStubUpstream();
  writeFileSync(ws.routesFile, `upstreams:\n  stub: { url: "${upstream.url}" }\nroutes:\n  - { prefix: /stub, upstream: stub, rewrite: "", auth: public, websocket: true }\n`);
  certFile = join(ws.dir, 'site.crt');
  keyFile = join(ws.dir, 'site.key');
  served = await makeTestPair({ names: [NAME] });
  writeTestPair(certFile, keyFile, served);
  child = spawn(process.execPath, ['gateway/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...ws.env, WORKERS: '2', TLS_CERT_FILE: certFile, TLS_KEY_FILE: keyFile, HSTS_MAX_AGE: '600', RELOAD_DEBOUNCE_MS: '20' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  log = collectLines(child);
  port = parse(await log.waitFor((line) => isJson(line) && parse(line).msg === 'listening', 60_000)).port as number;
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await upstream?.close();
  ws?.remove();
}, 30_000);

/** TLS options that trust exactly the certificate the test serves, under its name. */
const trust = (pair: TestPair) => ({ ca: [pair.cert], servername: NAME });

function httpsGet(path: string, pair: TestPair): Promise<{ status: number; headers: Record<string, unknown>; body: string; fingerprint: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    // Offer only http/1.1 in ALPN: the HTTP/1.1 side of the listener.
    const options: RequestOptions & ConnectionOptions = { host: '127.0.0.1', port, path, headers: { host: NAME }, agent: false, ALPNProtocols: ['http/1.1'], ...trust(pair) };
    const request = httpsRequest(options, (response) => {
      const socket = response.socket as TLSSocket;
      const fingerprint = socket.getPeerCertificate().fingerprint256;
      const alpn = socket.alpnProtocol;
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, fingerprint, alpn }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** The certificate a new connection is shown (not verified: compared). */
async function peerFingerprint(): Promise<string> {
  const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: NAME });
  await once(socket, 'secureConnect');
  const fingerprint = socket.getPeerCertificate().fingerprint256;
  socket.destroy();
  return fingerprint;
}

const fingerprintOf = (pair: TestPair) => new X509Certificate(pair.cert).fingerprint256;

describe('the gateway over HTTPS', () => {
  it('proxies an HTTPS/1.1 request to the upstream, the certificate verified, with HSTS', async () => {
    const answer = await httpsGet('/stub/hello?x=1', served);
    expect(answer.status).toBe(200);
    expect(answer.alpn).toBe('http/1.1');
    expect(JSON.parse(answer.body)).toMatchObject({ method: 'GET', url: '/hello?x=1' });
    expect(answer.headers['strict-transport-security']).toBe('max-age=600');
    expect(answer.fingerprint).toBe(fingerprintOf(served));
  });

  it('proxies an HTTP/2 request (ALPN h2)', async () => {
    const session = http2Connect(`https://127.0.0.1:${port}`, trust(served));
    try {
      const stream = session.request({ ':path': '/stub/over-h2', ':authority': NAME });
      const [headers] = (await once(stream, 'response')) as [Record<string, unknown>];
      let body = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (body += chunk));
      await once(stream, 'end');
      expect(session.alpnProtocol).toBe('h2');
      expect(headers[':status']).toBe(200);
      expect(headers['strict-transport-security']).toBe('max-age=600');
      expect(JSON.parse(body)).toMatchObject({ url: '/over-h2' });
    } finally {
      session.close();
    }
  });

  it('carries a wss:// WebSocket to the upstream and back', async () => {
    const socket = new WebSocket(`wss://127.0.0.1:${port}/stub/live`, { ...trust(served), headers: { host: NAME } });
    const messages: string[] = [];
    const next = () => new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    messages.push(await next());
    expect(JSON.parse(messages[0]!)).toMatchObject({ hello: '/live' });
    socket.send('over tls');
    expect(await next()).toBe('echo:over tls');
    socket.close();
    await once(socket, 'close');
  });

  it('resumes a TLS session on whichever worker a new connection lands (the ticket keys are shared)', async () => {
    const first = tlsConnect({ host: '127.0.0.1', port, servername: NAME, ca: [served.cert] });
    const [session] = (await once(first, 'session')) as [Buffer];
    first.destroy();
    // node:cluster hands connections to the two workers in turn: six reach both.
    for (let i = 0; i < 6; i++) {
      const socket = tlsConnect({ host: '127.0.0.1', port, servername: NAME, ca: [served.cert], session });
      await once(socket, 'secureConnect');
      expect(socket.isSessionReused()).toBe(true);
      socket.destroy();
    }
  });

  it('serves replaced certificate files to new connections on every worker, and refuses a broken one with one line per worker', async () => {
    const next = await makeTestPair({ names: [NAME] });
    const reloadsBefore = log.lines.filter((line) => line.includes('"msg":"certificate reloaded"')).length;
    writeFileSync(`${keyFile}.new`, next.key);
    writeFileSync(`${certFile}.new`, next.cert);
    renameSync(`${keyFile}.new`, keyFile);
    renameSync(`${certFile}.new`, certFile);
    // Each of the two workers watches the files itself and logs its reload.
    await log.waitFor(() => log.lines.filter((line) => line.includes('"msg":"certificate reloaded"')).length >= reloadsBefore + 2);
    // Several new connections: the listener hands them to either worker.
    for (let i = 0; i < 4; i++) expect((await httpsGet('/stub/after', next)).fingerprint).toBe(fingerprintOf(next));

    writeFileSync(certFile, next.cert.slice(0, 100));
    await log.waitFor(() => log.lines.filter((line) => line.includes('certificate refused') && line.includes(certFile)).length >= 2);
    for (let i = 0; i < 4; i++) expect(await peerFingerprint()).toBe(fingerprintOf(next));
    served = next;
  });
});
