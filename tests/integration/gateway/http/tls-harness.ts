// For the HTTPS listener's tests: a real certificate store (gateway/tls) over a
// self-signed pair for "localhost" in a temporary directory, and small HTTP/2
// and HTTP/1.1-over-TLS clients that trust it. Clients connect to 127.0.0.1
// with SNI "localhost", so no resolver is involved.
import { connect as connectHttp2, type ClientHttp2Session, type IncomingHttpHeaders, type IncomingHttpStatusHeader, type OutgoingHttpHeaders } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders as Http1Headers } from 'node:http';
import pino from 'pino';
import { createCertificateStore, type CertificateStore } from '../../../../gateway/tls/certificate-store.ts';
import { readTlsSettings } from '../../../../gateway/tls/settings.ts';
import { makeTempDir, makeTestPair, writeTestPair, type TestPair } from '../../../helpers/test-certificates.ts';

export interface TestTls {
  store: CertificateStore;
  pair: TestPair;
  close(): void;
}

export async function startTestTls(): Promise<TestTls> {
  const { dir, cleanup } = makeTempDir('h2-test-');
  const pair = await makeTestPair({ names: ['localhost'] });
  writeTestPair(`${dir}/site.crt`, `${dir}/site.key`, pair);
  const settings = readTlsSettings({ TLS_CERT_FILE: `${dir}/site.crt`, TLS_KEY_FILE: `${dir}/site.key` }, { dataDir: dir, reloadDebounceMs: 20 });
  const store = await createCertificateStore({ settings, logger: pino({ level: 'silent' }) });
  return {
    store,
    pair,
    close() {
      store.close();
      cleanup();
    },
  };
}

export function connectH2(port: number, ca: string): ClientHttp2Session {
  const session = connectHttp2(`https://127.0.0.1:${port}`, { ca, servername: 'localhost' });
  session.on('error', () => {});
  return session;
}

export interface H2Response {
  status: number;
  headers: IncomingHttpHeaders & IncomingHttpStatusHeader;
  text: string;
  json: () => any;
  /** RST_STREAM code when the stream was reset (0: closed normally). */
  rstCode: number;
}

/** One request on an HTTP/2 session; resolves when the stream closes (also when it is reset). */
export function h2Request(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string | Buffer | Array<string | Buffer>): Promise<H2Response> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined });
    let status = 0;
    let responseHeaders = {} as H2Response['headers'];
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[':status']);
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => {});
    stream.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      resolve({ status, headers: responseHeaders, text, json: () => JSON.parse(text), rstCode: stream.rstCode ?? 0 });
    });
    if (body === undefined) return;
    if (Array.isArray(body)) {
      for (const part of body) stream.write(part);
      stream.end();
    } else stream.end(body);
  });
}

/** One HTTP/1.1-over-TLS request (ALPN offers http/1.1 only), on its own connection. */
export function https1Request(port: number, ca: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Http1Headers; text: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', servername: 'localhost', port, path, ca, headers, agent: false as const, ALPNProtocols: ['http/1.1'] };
    const req = httpsRequest(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString(), alpn: (res.socket as import('node:tls').TLSSocket).alpnProtocol ?? null }));
    });
    req.on('error', reject);
    req.end();
  });
}
