// GET /metrics/<service>: the gateway fetches a supervised process's own
// /metrics (orm_api, ohlcv_api, cache_api, a collector) for Prometheus, so one
// credential on one address scrapes everything, collectors included (they have
// no route). The caller's right to read metrics was checked before (metrics-
// route.ts, or the loopback-only METRICS_PORT); the call carries the gateway's
// own service assertion, which every upstream's /metrics accepts.
import { request } from 'undici';
import { GATEWAY_SERVICE_IDENTITY, type AssertionSigner } from '../auth/assertion-signer.ts';
import { errors } from '../pipeline/errors.ts';

/** How long a process's /metrics may take before the scrape answers 504. */
export const SERVICE_METRICS_TIMEOUT_MS = 5_000;
/** A process's metrics larger than this are refused (a scrape is a few kB). */
export const SERVICE_METRICS_MAX_BYTES = 4 * 1024 * 1024;

export interface ServiceMetricsOptions {
  /** Whether the gateway runs or knows this name (supervisor or url: upstream). */
  knows(name: string): boolean;
  /** Its base URL now, or null while it is not running. */
  baseUrlOf(name: string): string | null;
  signer: Pick<AssertionSigner, 'sign'>;
  timeoutMs?: number;
}

export function createServiceMetricsFetcher(options: ServiceMetricsOptions): (name: string) => Promise<string> {
  const timeoutMs = options.timeoutMs ?? SERVICE_METRICS_TIMEOUT_MS;
  return async function fetchServiceMetrics(name: string): Promise<string> {
    if (!options.knows(name)) throw errors.serviceNotFound(name);
    const base = options.baseUrlOf(name);
    if (!base) throw errors.upstreamDown(name, 'not running', 1);
    const assertion = await options.signer.sign(GATEWAY_SERVICE_IDENTITY, name);
    let response;
    try {
      response = await request(new URL('/metrics', base), {
        method: 'GET',
        headers: { 'x-gateway-assertion': assertion, accept: 'text/plain' },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'UND_ERR_HEADERS_TIMEOUT') throw errors.gatewayTimeout(name);
      throw errors.badGateway(name, 'could not be reached for its metrics', error);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw errors.badGateway(name, `answered ${response.statusCode} for its metrics`);
    }
    const length = Number(response.headers['content-length'] ?? 0);
    if (length > SERVICE_METRICS_MAX_BYTES) {
      await response.body.dump();
      throw errors.badGateway(name, 'sent metrics larger than the limit');
    }
    const text = await response.body.text();
    if (Buffer.byteLength(text) > SERVICE_METRICS_MAX_BYTES) throw errors.badGateway(name, 'sent metrics larger than the limit');
    return text;
  };
}
