// The gateway's fetch of a process's own /metrics (GET /metrics/<service>) and
// the loopback METRICS_PORT listener, against a real upstream app (fastify,
// the upstreams' assertion check) on a real port: the gateway's own service
// assertion opens it; unknown, stopped, failing and silent processes get
// catalogue errors; the listener answers only GET/HEAD of its two paths.
import { createServer, type Server } from 'node:http';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssertionSigner } from '../../../../gateway/auth/assertion-signer.ts';
import { startMetricsListener, type MetricsListener } from '../../../../gateway/metrics/metrics-listener.ts';
import { createServiceMetricsFetcher } from '../../../../gateway/metrics/service-metrics.ts';
import { GatewayError } from '../../../../gateway/pipeline/errors.ts';
import { addScrapeGauge, createMetricsRegistry, registerMetricsRoute } from '../../../../upstreams/common/metrics.ts';
import { createUpstreamApp } from '../../../../upstreams/common/server.ts';
import { TEST_ASSERTION_ENV, TEST_ASSERTION_KEY } from '../../../helpers/assertion.ts';

const logger = pino({ level: 'silent' });
let upstream: FastifyInstance;
let upstreamUrl: string;
let failing: Server;
let failingUrl: string;
let listener: MetricsListener;
const pending: Array<() => void> = [];

beforeAll(async () => {
  upstream = createUpstreamApp({ name: 'orm_api', logger, env: TEST_ASSERTION_ENV });
  const registry = createMetricsRegistry('orm_api');
  addScrapeGauge(registry, 'test_answer', 'The answer', () => 42);
  registerMetricsRoute(upstream, registry);
  await upstream.listen({ port: 0, host: '127.0.0.1' });
  upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}`;
  // Answers 500, or in 'hang' mode never answers (held until afterAll).
  failing = createServer((_req, res) => {
    if (pendingMode === 'hang') return void pending.push(() => res.destroy());
    res.writeHead(500).end('boom');
  });
  await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
  failingUrl = `http://127.0.0.1:${(failing.address() as { port: number }).port}`;
  listener = await startMetricsListener({ port: 0, scrape: (service) => fetchMetrics(service ?? 'orm_api'), logger });
});
afterAll(async () => {
  for (const release of pending) release();
  await listener?.close();
  await upstream?.close();
  await new Promise((resolve) => failing?.close(resolve));
});

let pendingMode: 'fail' | 'hang' = 'fail';
const BASES: Record<string, string | null> = {};
const signer = new AssertionSigner({ key: TEST_ASSERTION_KEY.privateKey, kid: TEST_ASSERTION_KEY.kid });
const fetchMetrics = (name: string) =>
  createServiceMetricsFetcher({
    knows: (service) => service in BASES,
    baseUrlOf: (service) => BASES[service] ?? null,
    signer,
    timeoutMs: 300,
  })(name);

async function failureOf(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe('fetching a process\'s own metrics', () => {
  beforeAll(() => {
    BASES.orm_api = upstreamUrl;
    BASES.stopped = null;
    BASES.failing = failingUrl;
  });

  it('reads them with the gateway\'s own assertion', async () => {
    expect(await fetchMetrics('orm_api')).toContain('test_answer{service="orm_api"} 42');
  });

  it.each([
    ['an unknown service', 'nope', 404, 'SERVICE_NOT_FOUND', "Service 'nope' not found"],
    ['a stopped one', 'stopped', 503, 'UPSTREAM_UNAVAILABLE', 'Upstream stopped is unavailable: not running'],
    ['one answering 500', 'failing', 502, 'BAD_GATEWAY', 'Upstream failing answered 500 for its metrics'],
  ])('answers %s with a catalogue error', async (_name, service, status, code, detail) => {
    const error = await failureOf(fetchMetrics(service));
    expect({ status: error.status, code: error.code, detail: error.detail }).toEqual({ status, code, detail });
  });

  it('answers 504 when the process does not answer in time', async () => {
    pendingMode = 'hang';
    try {
      const error = await failureOf(fetchMetrics('failing'));
      expect(error).toMatchObject({ status: 504, code: 'GATEWAY_TIMEOUT' });
    } finally {
      pendingMode = 'fail';
    }
  });
});

describe('the METRICS_PORT listener', () => {
  const base = () => `http://127.0.0.1:${listener.port}`;

  it('serves the gateway\'s and a service\'s metrics without credentials, on loopback', async () => {
    for (const path of ['/metrics', '/metrics/orm_api']) {
      const response = await fetch(`${base()}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await response.text()).toContain('test_answer{service="orm_api"} 42');
    }
    const head = await fetch(`${base()}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it.each([
    ['another path', 'GET', '/health', 404, 'Not Found'],
    ['a service name with odd characters', 'GET', '/metrics/..%2Fetc', 404, 'Not Found'],
    ['an unknown service', 'GET', '/metrics/nope', 404, "Service 'nope' not found"],
    ['a POST', 'POST', '/metrics', 405, 'Method Not Allowed'],
  ])('answers %s with a JSON error', async (_name, method, path, status, detail) => {
    const response = await fetch(`${base()}${path}`, { method });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ detail });
  });
});
