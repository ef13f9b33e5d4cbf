// Example: HTTPS at the edge (docs/https.md). The gateway terminates TLS itself:
// HTTP/1.1 and HTTP/2 on one port (ALPN), WebSockets as wss://, TLS 1.2 at the
// least, and a certificate reloaded when its files change, without a restart.
//
// 1. Make a self-signed pair for localhost and 127.0.0.1 (the `selfsigned`
//    library; a real one comes from your CA or from ACME):
//      npx node examples/https.ts make-pair ./data/tls
// 2. Start the gateway with it:
//      TLS_CERT_FILE=./data/tls/cert.pem TLS_KEY_FILE=./data/tls/key.pem npm start
// 3. Run the checks. The client trusts exactly that certificate (Node's
//    NODE_EXTRA_CA_CERTS); nothing below turns verification off:
//      NODE_EXTRA_CA_CERTS=./data/tls/cert.pem GATEWAY_URL=https://localhost:8000 \
//      TLS_CERT_FILE=./data/tls/cert.pem TLS_KEY_FILE=./data/tls/key.pem \
//      ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/https.ts
//    (TLS_CERT_FILE/TLS_KEY_FILE here: the example replaces the pair to show the
//    hot reload, and puts the first one back at the end.)
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { join, resolve } from 'node:path';
import { connect as tlsConnect, rootCertificates, type ConnectionOptions, type TLSSocket } from 'node:tls';
import selfsigned from 'selfsigned';
import WebSocket from 'ws';
import { fetchJson, gatewayUrl, loginAsAdmin, waitFor, wsUrl } from './lib/client.ts';

interface Pair {
  cert: string;
  key: string;
}

/** A self-signed EC pair for localhost / 127.0.0.1 / ::1, valid for 30 days. */
export async function makePair(): Promise<Pair> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Step 1: writes cert.pem and key.pem (0600) into dir. */
async function writePair(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const pair = await makePair();
  writeFileSync(join(dir, 'cert.pem'), pair.cert);
  writeFileSync(join(dir, 'key.pem'), pair.key, { mode: 0o600 });
  console.log(`wrote ${join(dir, 'cert.pem')} and ${join(dir, 'key.pem')}; start the gateway with`);
  console.log(`  TLS_CERT_FILE=${join(dir, 'cert.pem')} TLS_KEY_FILE=${join(dir, 'key.pem')} npm start`);
}

const target = new URL(gatewayUrl());
const port = Number(target.port || 443);

/** A TLS connection to the gateway, verified against the trusted CAs (NODE_EXTRA_CA_CERTS included). */
async function handshake(options: ConnectionOptions = {}): Promise<TLSSocket> {
  const socket = tlsConnect({ host: target.hostname, port, servername: target.hostname, ...options });
  return new Promise((resolveSocket, reject) => {
    socket.once('secureConnect', () => resolveSocket(socket));
    socket.once('error', reject);
  });
}

async function refusal(options: ConnectionOptions): Promise<string> {
  try {
    (await handshake(options)).destroy();
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
  throw new Error('the handshake should have been refused');
}

async function h2Request(session: ClientHttp2Session, headers: Record<string, string>, body?: string): Promise<{ status: number; json: any }> {
  const stream = session.request(headers);
  if (body !== undefined) stream.end(body);
  const status = await new Promise<number>((resolveStatus) => stream.once('response', (h) => resolveStatus(Number(h[':status']))));
  let text = '';
  stream.setEncoding('utf8');
  for await (const chunk of stream) text += chunk;
  return { status, json: text ? JSON.parse(text) : null };
}

async function main(): Promise<void> {
  assert.equal(target.protocol, 'https:', 'GATEWAY_URL must be https:// (see the steps at the top)');

  // 1. HTTPS/1.1 (fetch): the certificate is verified against the one we trust.
  const health = await fetchJson('/health/check');
  assert.equal(health.status, 200, JSON.stringify(health.body));
  const socket = await handshake({ ALPNProtocols: ['http/1.1'] });
  assert.equal(socket.authorized, true);
  const peer = socket.getPeerCertificate();
  console.log(`certificate: ${peer.subject.CN}, ${peer.subjectaltname}, valid to ${peer.valid_to}; ${socket.getProtocol()} ${socket.getCipher().name}`);
  assert.match(socket.getProtocol() ?? '', /^TLSv1\.[23]$/);
  socket.destroy();
  const hsts = health.headers.get('strict-transport-security');
  console.log(`Strict-Transport-Security: ${hsts ?? '(off: HSTS_MAX_AGE=0)'}`);

  // 2. A client that trusts only the public CAs refuses this self-signed certificate.
  assert.match(await refusal({ ca: rootCertificates as string[] }), /SELF_SIGNED|UNABLE_TO_VERIFY/);

  // 3. TLS 1.0/1.1 are refused by the gateway (this client is allowed to offer 1.1).
  assert.match(await refusal({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }), /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/);

  // 4. HTTP/2 on the same port (ALPN h2): log in and ask who we are.
  const session = http2Connect(gatewayUrl());
  try {
    await new Promise<void>((resolveConnect, reject) => session.once('connect', () => resolveConnect()).once('error', reject));
    assert.equal(session.alpnProtocol, 'h2');
    const admin = { mail: process.env.ADMIN_MAIL ?? 'admin@fullon', password: process.env.ADMIN_PASSWORD ?? '' };
    const form = new URLSearchParams({ username: admin.mail, password: admin.password }).toString();
    const loggedIn = await h2Request(session, { ':method': 'POST', ':path': '/api/v1/auth/login', 'content-type': 'application/x-www-form-urlencoded' }, form);
    assert.equal(loggedIn.status, 200, JSON.stringify(loggedIn.json));
    const verified = await h2Request(session, { ':path': '/api/v1/auth/verify', authorization: `Bearer ${loggedIn.json.access_token}` });
    assert.equal(verified.status, 200, JSON.stringify(verified.json));
    assert.equal(verified.json.email, admin.mail);
  } finally {
    session.close();
  }

  // 5. A WebSocket over TLS (wss://) to the cache upstream: a ping gets its pong.
  const token = await loginAsAdmin();
  const ws = new WebSocket(wsUrl('/api/v1/cache/ws/tickers/https-example'), { headers: { authorization: `Bearer ${token}` } });
  await new Promise<void>((resolveOpen, reject) => ws.once('open', () => resolveOpen()).once('error', reject));
  const pong = new Promise<any>((resolveMessage) => ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.request_id === 'https-ping') resolveMessage(message);
  }));
  ws.send(JSON.stringify({ action: 'ping', request_id: 'https-ping', params: {} }));
  assert.equal((await pong).success, true);
  ws.close();

  // 6. Hot reload: a new pair moved over the files reaches new connections; no restart.
  const certFile = process.env.TLS_CERT_FILE;
  const keyFile = process.env.TLS_KEY_FILE;
  if (!certFile || !keyFile) {
    console.log('TLS_CERT_FILE/TLS_KEY_FILE not given: skipping the hot reload step');
    return;
  }
  const original: Pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  const replace = (pair: Pair) => {
    writeFileSync(`${keyFile}.new`, pair.key, { mode: 0o600 });
    writeFileSync(`${certFile}.new`, pair.cert);
    renameSync(`${keyFile}.new`, keyFile);
    renameSync(`${certFile}.new`, certFile);
  };
  /** Whether a new connection verifies against exactly this certificate. */
  const serves = async (pair: Pair) => {
    try {
      (await handshake({ ca: [pair.cert] })).destroy();
      return true;
    } catch {
      return false;
    }
  };
  const next = await makePair();
  assert.equal(await serves(next), false);
  replace(next);
  try {
    await waitFor('the new certificate', () => serves(next));
    console.log('reloaded: new connections get the new certificate');
  } finally {
    // Back to the certificate the caller trusts.
    replace(original);
    await waitFor('the original certificate', () => serves(original));
  }
}

if (process.argv[2] === 'make-pair') await writePair(resolve(process.argv[3] ?? './data/tls'));
else await main();
