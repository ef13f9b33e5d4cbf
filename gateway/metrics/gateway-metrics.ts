// The gateway's Prometheus metrics (prom-client), all in this one module with one
// registry, so that when the gateway splits into a primary and workers the
// primary can aggregate the workers' registries here (prom-client's
// AggregatorRegistry, gateway/metrics/aggregate.ts) without the call sites
// changing. What every worker learns from the primary (upstream state, service
// states and restarts, reloads) says how it aggregates ("first"/"max"), so it is
// not counted once per worker; requests, auth failures and WebSockets are summed.
//
// Labels are bounded by construction: a route's configured prefix (routes.yaml)
// or the local route's pattern ("/api/v1/services/:name/status"), the upstream's
// name and a status class. Never a raw path, id or token.
import { Counter, Gauge, Registry } from 'prom-client';
import type { RequestContext } from '../pipeline/context.ts';
import { HotPathHistogram, type HistogramSeries } from './hot-histogram.ts';

/** What the scrape-time gauges read (the gateway, the registry, the supervisor): nothing on the hot path. */
export interface MetricsSources {
  webSockets(): number;
  upstreams(): ReadonlyArray<{ name: string; up: boolean }>;
  services(): ReadonlyArray<{ name: string; state: string; restarts: number }>;
}

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const SERVICE_STATES = ['stopped', 'starting', 'running', 'stopping', 'backoff', 'failed'] as const;
/** Catalogue codes that are an authentication or authorisation refusal: the reason label. */
const AUTH_FAILURES: ReadonlySet<string> = new Set([
  'UNAUTHORIZED', 'INVALID_TOKEN', 'INVALID_API_KEY', 'INVALID_CREDENTIALS', 'UNSUPPORTED_SCHEME', 'AMBIGUOUS_CREDENTIALS', 'FORBIDDEN',
]);
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One prefix × upstream × status class: what the request path touches (plain fields, no prom-client call). */
interface Children {
  labels: { prefix: string; upstream: string; status_class: string };
  /** Requests not yet added to gateway_requests_total (it catches up at scrape time). */
  uncounted: number;
  latency: HistogramSeries;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** From the access-log point: the request's fields are final. */
  recordRequest(ctx: RequestContext): void;
  /** Pre-creates the label children of known prefixes, and a 0 for each rate-limited one (called with each route table). */
  prepareRoutes(routes: ReadonlyArray<{ prefix: string; upstream: string; rateLimit?: unknown }>): void;
  recordReload(error: string | null): void;
  /** The routes file the process started with was loaded (a success, not a reload). */
  markConfigLoaded(): void;
  /** Wires the scrape-time gauges to their sources (main.ts, once everything exists). */
  setSources(sources: MetricsSources): void;
}

function statusClass(status: number): string {
  const index = Math.floor(status / 100) - 1;
  return STATUS_CLASSES[index] ?? 'other';
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  let sources: MetricsSources | null = null;
  // prefix -> upstream -> children by status class: a request looks its children up
  // in two maps and an array, without building a label object or a key string.
  const children = new Map<string, Map<string, Map<string, Children>>>();
  new Counter({
    name: 'gateway_requests_total',
    help: 'Requests answered, by route prefix (routes.yaml prefix or local route pattern), upstream and status class',
    labelNames: ['prefix', 'upstream', 'status_class'] as const,
    registers: [registry],
    // The request path counts in plain numbers (prom-client's inc() builds a label key per call).
    collect() {
      for (const byUpstream of children.values()) {
        for (const byClass of byUpstream.values()) {
          for (const child of byClass.values()) {
            if (child.uncounted === 0) continue;
            this.inc(child.labels, child.uncounted);
            child.uncounted = 0;
          }
        }
      }
    },
  });
  const latency = new HotPathHistogram({
    name: 'gateway_request_duration_seconds',
    help: 'Time from arrival to the end of the answer, by route prefix, upstream and status class',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const authFailures = new Counter({
    name: 'gateway_auth_failures_total',
    help: 'Requests refused by authentication or authorisation, by reason (error catalogue code)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const loginThrottled = new Counter({
    name: 'gateway_login_throttled_total',
    help: 'Logins refused with 429 by login throttling',
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'gateway_rate_limited_total',
    help: 'Requests and WebSocket upgrades refused with 429 by a route rate_limit, by route prefix',
    labelNames: ['prefix'] as const,
    registers: [registry],
  });
  const reloads = new Counter({
    name: 'gateway_config_reloads_total',
    help: 'routes.yaml reloads, by outcome (success | failure)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    // Every worker hears every reload; one started later has fewer.
    aggregator: 'max',
  });
  const lastReload = new Gauge({
    name: 'gateway_config_last_reload_success_timestamp_seconds',
    help: 'Unix time of the last successful routes.yaml load (0: none yet)',
    registers: [registry],
    aggregator: 'max',
  });
  new Gauge({
    name: 'gateway_websockets_open',
    help: 'Proxied WebSockets open now',
    registers: [registry],
    collect() {
      this.set(sources?.webSockets() ?? 0);
    },
  });
  new Gauge({
    name: 'gateway_upstream_up',
    help: 'Whether the gateway sends traffic to the upstream (1) or answers 503 (0): process state and health verdict',
    labelNames: ['upstream'] as const,
    registers: [registry],
    aggregator: 'first',
    collect() {
      this.reset();
      for (const upstream of sources?.upstreams() ?? []) this.set({ upstream: upstream.name }, upstream.up ? 1 : 0);
    },
  });
  new Gauge({
    name: 'gateway_service_state',
    help: 'Supervisor state per service: 1 for its current state, 0 for the others',
    labelNames: ['service', 'state'] as const,
    registers: [registry],
    aggregator: 'first',
    collect() {
      this.reset();
      for (const service of sources?.services() ?? []) {
        for (const state of SERVICE_STATES) this.set({ service: service.name, state }, service.state === state ? 1 : 0);
      }
    },
  });
  // The supervisor counts restarts itself; the counter follows it at scrape time.
  const restartsSeen = new Map<string, number>();
  new Counter({
    name: 'gateway_service_restarts_total',
    help: 'Restarts of each supervised service (crash recovery, health recovery, the services API)',
    labelNames: ['service'] as const,
    registers: [registry],
    aggregator: 'max',
    collect() {
      for (const service of sources?.services() ?? []) {
        const seen = restartsSeen.get(service.name) ?? 0;
        // A service removed and added again starts from 0: keep the counter monotonic.
        const delta = service.restarts >= seen ? service.restarts - seen : service.restarts;
        restartsSeen.set(service.name, service.restarts);
        this.inc({ service: service.name }, delta);
      }
    },
  });

  function childrenFor(prefix: string, upstream: string, statusLabel: string): Children {
    let byUpstream = children.get(prefix);
    if (!byUpstream) children.set(prefix, (byUpstream = new Map()));
    let byClass = byUpstream.get(upstream);
    if (!byClass) byUpstream.set(upstream, (byClass = new Map()));
    let found = byClass.get(statusLabel);
    if (!found) {
      const labels = { prefix, upstream, status_class: statusLabel };
      found = { labels, uncounted: 0, latency: latency.series(labels) };
      byClass.set(statusLabel, found);
    }
    return found;
  }

  return {
    registry,
    recordRequest(ctx) {
      const prefix = ctx.route ? ctx.route.prefix : ctx.local ? ctx.local.path : 'unmatched';
      const upstream = ctx.upstream ?? (ctx.route ? ctx.route.upstream : ctx.local ? 'gateway' : 'none');
      const child = childrenFor(prefix, upstream, statusClass(ctx.status));
      child.uncounted++;
      latency.observe(child.latency, Number(process.hrtime.bigint() - ctx.startedAt) / 1e9);
      const code = ctx.errorCode;
      if (code !== null) {
        if (AUTH_FAILURES.has(code)) authFailures.inc({ reason: code });
        else if (code === 'LOGIN_THROTTLED') loginThrottled.inc();
        else if (code === 'RATE_LIMITED') rateLimited.inc({ prefix });
      }
    },
    prepareRoutes(routes) {
      for (const route of routes) {
        for (const status of ['2xx', '4xx', '5xx']) childrenFor(route.prefix, route.upstream, status);
        // A 0 from the start, so a rate() over it has a series before the first refusal.
        if (route.rateLimit) rateLimited.inc({ prefix: route.prefix }, 0);
      }
    },
    recordReload(error) {
      reloads.inc({ outcome: error === null ? 'success' : 'failure' });
      if (error === null) lastReload.set(Date.now() / 1000);
    },
    markConfigLoaded() {
      lastReload.set(Date.now() / 1000);
    },
    setSources(next) {
      sources = next;
    },
  };
}
