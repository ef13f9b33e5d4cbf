// The plain-HTTP listener on a real socket: ACME challenge answers from the
// challenge files, 308 to HTTPS for the configured names, and a 400 for every
// Host that is not one of them (a forged Host never becomes a Location).
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChallengeStore, type ChallengeStore } from '../../../../gateway/tls/acme/challenge-store.ts';
import { createHttpRedirectServer, listenHttpRedirect } from '../../../../gateway/tls/http-redirect.ts';

const TOKEN = 'evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA';

/**
 * One raw HTTP exchange, so the test controls the Host header byte for byte. The
 * socket is not half-closed (Node's server would drop a response still being
 * read from disk); every request here makes the server close it.
 */
function raw(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

const get = (port: number, target: string, host: string | null, extra = '') =>
  raw(port, `GET ${target} HTTP/1.1\r\n${host === null ? '' : `Host: ${host}\r\n`}${extra}Connection: close\r\n\r\n`);

describe('plain-HTTP listener', () => {
  let dir: string;
  let challenges: ChallengeStore;
  const servers: Array<{ server: Server; port: number }> = [];

  async function start(httpsPort: number) {
    const server = createHttpRedirectServer({ names: new Set(['api.example.com', 'www.example.com']), httpsPort, challenges, logger: pino({ level: 'silent' }) });
    const port = await listenHttpRedirect(server, '127.0.0.1', 0);
    servers.push({ server, port });
    return port;
  }

  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'http-redirect-'));
    challenges = createChallengeStore(join(dir, 'challenges'));
    port = await start(8443);
  });
  afterAll(async () => {
    for (const { server } of servers) await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('answers an ACME challenge from its file, for any Host, and forgets it once removed', async () => {
    await challenges.put(TOKEN, `${TOKEN}.thumbprint`);
    const answer = await get(port, `/.well-known/acme-challenge/${TOKEN}`, 'whatever.example');
    expect(answer).toMatchObject({ status: 200, body: `${TOKEN}.thumbprint` });
    expect(answer.headers['content-type']).toBe('application/octet-stream');
    await challenges.remove(TOKEN);
    const gone = await get(port, `/.well-known/acme-challenge/${TOKEN}`, 'api.example.com');
    expect(gone.status).toBe(404);
    expect(JSON.parse(gone.body)).toEqual({ detail: 'Not Found' });
  });

  it.each([
    ['a token with a path in it', '/.well-known/acme-challenge/..%2f..%2faccount-key.pem'],
    ['a token with a dot segment', '/.well-known/acme-challenge/../account-key.pem'],
    ['a too short token', '/.well-known/acme-challenge/abc'],
    ['no token', '/.well-known/acme-challenge/'],
  ])('answers %s with the JSON 404, never a file', async (_name, target) => {
    const answer = await get(port, target, 'api.example.com');
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'Not Found' });
  });

  it('refuses other methods on a challenge with 405', async () => {
    const answer = await raw(port, `POST /.well-known/acme-challenge/${TOKEN} HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });

  it.each([
    ['api.example.com', '/', 'https://api.example.com:8443/'],
    ['API.Example.com.', '/api/v1/orm/users?limit=5&offset=10', 'https://api.example.com:8443/api/v1/orm/users?limit=5&offset=10'],
    ['www.example.com:8080', '//evil.com/x', 'https://www.example.com:8443//evil.com/x'],
  ])('redirects Host %s %s with a 308 to %s', async (host, target, location) => {
    const answer = await get(port, target, host);
    expect(answer.status).toBe(308);
    expect(answer.headers.location).toBe(location);
  });

  it('leaves port 443 out of the Location', async () => {
    const standard = await start(443);
    const answer = await get(standard, '/health/check', 'api.example.com');
    expect(answer.headers.location).toBe('https://api.example.com/health/check');
  });

  it('keeps a POST a POST (308) and closes a connection whose body it did not read', async () => {
    const answer = await raw(port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: api.example.com\r\nContent-Length: 5\r\n\r\nx=1&y');
    expect(answer.status).toBe(308);
    expect(answer.headers.connection).toBe('close');
  });

  it.each([
    ['an unknown name', 'evil.com'],
    ['a sub-domain of a configured name', 'evil.api.example.com'],
    ['a configured name as a suffix', 'api.example.com.evil.com'],
    ['an IP address', '127.0.0.1'],
    ['an IPv6 literal', '[::1]:80'],
    ['userinfo', 'evil.com@api.example.com'],
    ['a path in the Host', 'api.example.com/evil'],
    ['a bad port', 'api.example.com:99999'],
    ['an empty Host', ''],
  ])('answers %s (Host %j) with the JSON 400, no Location', async (_name, host) => {
    const answer = await get(port, '/', host);
    expect(answer.status).toBe(400);
    expect(answer.headers.location).toBeUndefined();
    expect(answer.headers['x-gateway-error']).toBe('BAD_HOST');
    expect(JSON.parse(answer.body).detail).toMatch(/host/i);
  });

  it('answers a request without Host, or with two, with the JSON 400', async () => {
    // HTTP/1.0 may omit Host; two Host headers are a smuggling attempt (RFC 9112 §3.2).
    const none = await raw(port, 'GET / HTTP/1.0\r\n\r\n');
    const two = await get(port, '/', 'api.example.com', 'Host: evil.com\r\n');
    for (const answer of [none, two]) {
      expect(answer.status).toBe(400);
      expect(answer.headers.location).toBeUndefined();
    }
  });

  it('answers an absolute-form target (a second host to trust) with the JSON 400', async () => {
    const answer = await get(port, 'http://evil.com/', 'api.example.com');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ detail: 'Request target must be a path' });
  });

  it('answers a request Node cannot parse with the JSON 400', async () => {
    const answer = await raw(port, 'GET / HTTP/1.1\r\nHost api.example.com\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toHaveProperty('detail');
  });
});
