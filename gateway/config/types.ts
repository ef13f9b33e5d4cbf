// The validated, typed shape of routes.yaml (after ${VAR:-default} interpolation
// and defaults). The loader (config/load.ts) produces it; every other module reads
// it and never the raw YAML. Durations are milliseconds, sizes bytes.

export type RestartPolicy = 'always' | 'on-failure' | 'never';
export type AuthPolicy = 'public' | 'user' | 'admin';
/** Whose requests one rate-limit counter holds (docs/rate-limits.md). */
export type RateLimitBy = 'user' | 'api_key' | 'ip';

/** A route's `rate_limit:` (docs/rate-limits.md has how it maps onto the limiter). */
export interface RateLimitConfig {
  by: RateLimitBy;
  /** Sustained allowance: `requests` per `perMs` (a whole number of seconds). */
  requests: number;
  perMs: number;
  /** Most requests at once (the token bucket's size); `requests` when absent. */
  burst: number;
  /** Admins (role admin or ADMIN_MAIL) skip the limit unless the route says `admins: limited`. */
  adminsExempt: boolean;
  /** The shared store (Redis) unreachable: true answers 503, false counts in this process's memory meanwhile. */
  failClosed: boolean;
}

export interface ProcessConfig {
  /** argv; a leading "node" is replaced by the gateway's own Node binary. */
  command: string[];
  cwd: string;
  env: Record<string, string>;
  autostart: boolean;
  restart: {
    policy: RestartPolicy;
    backoffInitialMs: number;
    backoffMaxMs: number;
    /** Running this long without exiting resets the backoff (PM2 min_uptime / systemd). */
    resetAfterMs: number;
    /** At most `startLimitBurst` starts within `startLimitIntervalMs`, then `failed` (systemd StartLimitBurst). */
    startLimitBurst: number;
    startLimitIntervalMs: number;
  };
  /** SIGTERM to the process group, SIGKILL after this. */
  stopGraceMs: number;
  /** `starting` until the health path answers 2xx; past this the start failed. */
  startTimeoutMs: number;
}

export interface HealthConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive failed checks before the upstream is marked unhealthy. */
  unhealthyThreshold: number;
  /** Consecutive good checks before an unhealthy upstream is marked healthy again. */
  healthyThreshold: number;
  /** /health/check answers 503 while a critical upstream is unhealthy. */
  critical: boolean;
  /** Auto-restart a supervised upstream after this many consecutive failed checks (0 = never). */
  restartAfterFailures: number;
}

export interface UpstreamConfig {
  name: string;
  /** Fixed base URL (external or supervised on a known port); absent = supervisor picks a loopback port. */
  url: string | null;
  process: ProcessConfig | null;
  health: HealthConfig;
  timeouts: { connectMs: number; requestMs: number };
}

/** A supervised daemon without routes (e.g. a ticker collector). */
export interface ServiceConfig {
  name: string;
  process: ProcessConfig;
  /** Optional health URL; without one a service is healthy while its process runs. */
  health: HealthConfig | null;
  url: string | null;
}

export interface RouteConfig {
  /** Normalised, starts with "/", no trailing slash (except "/"). */
  prefix: string;
  upstream: string;
  /** Replacement for the prefix when forwarding; "" strips it, null keeps the path. */
  rewrite: string | null;
  auth: AuthPolicy;
  websocket: boolean;
  /** Upstream response timeout for this route (504 past it). */
  timeoutMs: number;
  /** Request bodies over this → 413. */
  bodyLimitBytes: number;
  /** Forward the client's Authorization header (off by default, DESIGN.md). */
  forwardAuthorization: boolean;
  /** Per-route request rate limit; null = none (no stage, no store round trip). */
  rateLimit: RateLimitConfig | null;
}

export interface GatewayConfig {
  /** Absolute path of the file it came from. */
  file: string;
  upstreams: Map<string, UpstreamConfig>;
  services: Map<string, ServiceConfig>;
  /** Sorted longest prefix first. */
  routes: RouteConfig[];
}

/** One problem found in a routes file, with its position (1-based). */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** JSON pointer-ish location, e.g. "routes[2].upstream". */
  path: string;
  message: string;
}
