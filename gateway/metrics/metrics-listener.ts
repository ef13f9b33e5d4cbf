// METRICS_PORT: a second listener in the primary, bound to 127.0.0.1 only, that
// serves the same text as GET /metrics and GET /metrics/<service> without
// credentials — for a Prometheus (or node agent) on the same host that should
// not hold an API key. Loopback is the access control: it is never bound to
// another address. Anything but GET/HEAD of those paths is a JSON error.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { errors, toGatewayError } from '../pipeline/errors.ts';
import { METRICS_CONTENT_TYPE, METRICS_PATH } from './metrics-route.ts';

export const METRICS_HOST = '127.0.0.1';
/** A service name as the supervisor knows them (routes.yaml keys). */
const SERVICE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export interface MetricsListenerOptions {
  port: number;
  /** null: the gateway's (aggregated) metrics; a name: that process's own. */
  scrape(service: string | null): Promise<string>;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsListener(options: MetricsListenerOptions): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => void answer(req, res, options));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, METRICS_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ host: METRICS_HOST, port }, `metrics on http://${METRICS_HOST}:${port}${METRICS_PATH} (loopback only, no credentials)`);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, options: MetricsListenerOptions): Promise<void> {
  try {
    const path = (req.url ?? '').split('?', 1)[0]!;
    const service = path === METRICS_PATH ? null : path.startsWith(`${METRICS_PATH}/`) ? decodeService(path.slice(METRICS_PATH.length + 1)) : undefined;
    if (service === undefined) throw errors.notFound();
    if (req.method !== 'GET' && req.method !== 'HEAD') throw errors.methodNotAllowed(['GET', 'HEAD']);
    const text = await options.scrape(service);
    res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  } catch (error) {
    const failure = toGatewayError(error);
    if (failure.status >= 500) options.logger.warn({ err: failure.cause ?? failure, code: failure.code }, 'metrics listener: scrape failed');
    const body = JSON.stringify({ detail: failure.detail });
    res.writeHead(failure.status, { ...failure.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-gateway-error': failure.code });
    res.end(body);
  }
}

function decodeService(raw: string): string | undefined {
  return SERVICE_NAME.test(raw) ? raw : undefined;
}
