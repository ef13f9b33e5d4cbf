// What the primary and its workers say to each other (gateway/cluster/ipc.ts
// carries it). The primary owns every fact (config, upstream availability,
// supervisor state, reload outcome) and pushes it; workers own connections and
// forward what only the primary can do (service control, health, login counts).
import type { Invalidation } from '../auth/invalidation.ts';
import type { AuthSettings } from '../auth/settings.ts';
import type { GatewayConfig } from '../config/types.ts';
import type { LocalResponse, LocalRoute } from '../pipeline/context.ts';
import type { UpstreamFacts } from '../registry/upstream-registry.ts';
import type { MetricsSnapshot } from '../metrics/aggregate.ts';
import type { LogSnapshot, LogStart } from '../services-api/log-feed.ts';
import type { LogRecord } from '../supervisor/line-buffer.ts';

/** Supervised services as /metrics shows them (gateway/metrics). */
export interface ServiceFact {
  name: string;
  state: string;
  restarts: number;
}

/** What a worker needs to start: secrets made once in the primary, and the committed config. */
export interface WorkerInit {
  /** The worker's number in the pool (1..WORKERS), for its log lines. */
  slot: number;
  /** The committed config and its version (reloads count up). */
  version: number;
  config: GatewayConfig;
  /** auth settings as the primary resolved them (a random JWT secret is made once, there). */
  auth: AuthSettings;
  /** The assertion key's private half (PKCS#8 PEM) and kid: every worker signs with the same key. */
  assertionKeyPem: string;
  assertionKid: string;
  upstreams: UpstreamFacts[];
  services: ServiceFact[];
  ready: boolean;
  /** The local routes the primary answers (health, services API): the worker forwards them. */
  primaryRoutes: Array<{ key: string; method: LocalRoute['method']; path: string; auth: LocalRoute['auth'] }>;
}

/** A local route the primary answers: which one (method + path pattern), and the request's parts it reads. */
export interface ForwardedLocal {
  key: string;
  params: Record<string, string>;
  query: string;
}

/** Primary → worker requests. */
export type WorkerRequests = {
  init: { body: WorkerInit; reply: { port: number } };
  /** Phase one of a reload: build the route table; nothing changes yet. */
  prepare: { body: { version: number; config: GatewayConfig }; reply: null };
  /** Phase two: swap the prepared table in (cannot fail for a prepared version). */
  commit: { body: { version: number }; reply: null };
  /** Prepare and commit at once: a worker that started while a reload was under way catches up. */
  apply: { body: { version: number; config: GatewayConfig }; reply: null };
  ping: { body: null; reply: null };
  /** Stop accepting, finish in-flight requests within graceMs, then the worker exits. */
  drain: { body: { graceMs: number }; reply: null };
  /** This worker's metrics registry as JSON, for the primary to aggregate (gateway/metrics/aggregate.ts). */
  'metrics-snapshot': { body: null; reply: MetricsSnapshot };
};

/** Primary → worker events. */
export type WorkerEvents = {
  /** A prepared version that will not be committed (another worker could not prepare it). */
  abort: { version: number };
  state: { upstreams: UpstreamFacts[]; services: ServiceFact[] };
  revoke: Invalidation[];
  /** The orm's revocation stream had a gap: forget every cached credential. */
  'forget-all': null;
  reloaded: { error: string | null; locations: string[] };
  ready: null;
  /** New output of a service this worker follows (gateway/cluster/log-follows.ts). */
  'log-lines': { service: string; records: LogRecord[] };
};

/** Worker → primary requests. */
export type PrimaryRequests = {
  local: { body: ForwardedLocal; reply: LocalResponse };
  'login-attempt': { body: { account: string; address: string }; reply: number | null };
  'login-succeeded': { body: { account: string; address: string }; reply: null };
  'login-unchecked': { body: { account: string }; reply: null };
  /** GET /metrics (service null: every worker's, aggregated) or /metrics/<service>: the Prometheus text. */
  metrics: { body: { service: string | null }; reply: string };
  /** A log stream opens: the service's starting lines (LogStart); the worker follows the service from then on (once per service, shared by its streams). */
  'log-follow': { body: { service: string; start: LogStart }; reply: LogSnapshot };
};

/** Worker → primary events. */
export type PrimaryEvents = {
  /** An upstream answer revoked these (x-auth-invalidate): the other workers and replicas must hear it. */
  revoked: Invalidation[];
  /** Passive health: this worker could not connect to an upstream. */
  'connection-error': { name: string; message: string };
  /** The worker's last stream of this service closed: stop sending its lines. */
  'log-unfollow': { service: string };
};

/** How long a request over the channel may take unless it says otherwise. */
export const IPC_TIMEOUT_MS = 5_000;
/** Service control may wait for a child to start or stop (its start timeout, stop grace). */
export const LOCAL_FORWARD_TIMEOUT_MS = 120_000;
/** A scrape: every worker's snapshot, or a service's own /metrics (gateway/metrics/service-metrics.ts allows 5 s). */
export const METRICS_TIMEOUT_MS = 10_000;

/** The worker's side of the channel and the primary's (IpcPeer<Mine, Theirs>). */
export type WorkerSide = { requests: WorkerRequests; events: WorkerEvents };
export type PrimarySide = { requests: PrimaryRequests; events: PrimaryEvents };
