// The optional plain-HTTP listener (HTTP_REDIRECT_PORT): answers the ACME HTTP-01
// challenges from the challenge files (RFC 8555 §8.3) and sends everything else to
// HTTPS with a 308 (RFC 9110 §15.4.9: the method and body are kept, unlike 301).
// Hostile input: the Host header picks the redirect's target, so only configured
// names (ACME_DOMAINS + HTTP_REDIRECT_HOSTS) are redirected; any other gets a 400,
// never a Location that points at someone else's site.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { sendErrorOn, writeErrorToSocket } from '../http/respond.ts';
import { errors } from '../pipeline/errors.ts';
import type { ChallengeStore } from './acme/challenge-store.ts';
import { parseHostHeader } from './hostname.ts';

const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/** Small and fast: this port only ever gets short GETs (a CA, or a browser on its way to HTTPS). */
const LIMITS = { headersTimeoutMs: 10_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxHeaderSize: 8192 } as const;

export interface HttpRedirectOptions {
  /** Host names a redirect may point at. */
  names: ReadonlySet<string>;
  /** The HTTPS port written into Location (443 is left out). */
  httpsPort: number;
  challenges: Pick<ChallengeStore, 'get'>;
  logger: Pick<Logger, 'info' | 'debug' | 'warn'>;
}

export function createHttpRedirectServer(options: HttpRedirectOptions): Server {
  const server = createServer({ maxHeaderSize: LIMITS.maxHeaderSize, requestTimeout: LIMITS.requestTimeoutMs }, (req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'http redirect listener: request failed');
      if (!res.headersSent) sendErrorOn(res, errors.internal(error));
      else res.destroy();
    });
  });
  server.headersTimeout = LIMITS.headersTimeoutMs;
  server.keepAliveTimeout = LIMITS.keepAliveTimeoutMs;
  // Unparseable requests get the catalogue's JSON 400, like the main listener.
  server.on('clientError', (_error, socket) => writeErrorToSocket(socket, errors.badRequest()));
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, options: HttpRedirectOptions): Promise<void> {
  const target = req.url ?? '';
  // Origin-form only (RFC 9112 §3.2.1); absolute-form would carry a second host to trust.
  if (!target.startsWith('/')) return sendErrorOn(res, errors.badRequest('Request target must be a path'));
  if (target.startsWith(CHALLENGE_PREFIX)) return answerChallenge(req, res, target.slice(CHALLENGE_PREFIX.length), options);

  const hosts = req.headersDistinct.host ?? [];
  if (hosts.length !== 1) return sendErrorOn(res, errors.badHost());
  const host = parseHostHeader(hosts[0]!);
  if (!host || !options.names.has(host.name)) {
    return sendErrorOn(res, errors.badHost('Unknown host: this port redirects only the configured host names to HTTPS'));
  }
  const port = options.httpsPort === 443 ? '' : `:${options.httpsPort}`;
  // A request with a body is not read (the client will send it again to HTTPS): close after.
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  res.writeHead(308, { location: `https://${host.name}${port}${target}`, 'content-length': '0', ...(hasBody ? { connection: 'close' } : {}) }).end();
}

async function answerChallenge(req: IncomingMessage, res: ServerResponse, token: string, options: HttpRedirectOptions): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendErrorOn(res, errors.methodNotAllowed(['GET', 'HEAD']));
  const keyAuthorization = await options.challenges.get(token);
  if (keyAuthorization === null) {
    options.logger.debug({ capability: 'acme' }, 'ACME challenge request for an unknown token');
    return sendErrorOn(res, errors.notFound());
  }
  options.logger.info({ capability: 'acme', host: req.headers.host }, 'answered an ACME HTTP-01 challenge');
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': Buffer.byteLength(keyAuthorization) });
  res.end(req.method === 'HEAD' ? undefined : keyAuthorization);
}

/** Listens and resolves with the bound port (port 0 picks one). */
export function listenHttpRedirect(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
