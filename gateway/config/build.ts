// Semantic checks and defaults: turns the schema-valid raw object into the typed
// GatewayConfig, reporting what a schema cannot see (unknown upstream names,
// duplicate prefixes, bad durations and sizes, unreachable upstreams).
import { ROUTE_DEFAULTS } from './defaults.ts';
import type { YamlPath } from './positions.ts';
import { buildRateLimit } from './rate-limit.ts';
import type { AuthPolicy, GatewayConfig, HealthConfig, ProcessConfig, RestartPolicy, RouteConfig, ServiceConfig, UpstreamConfig } from './types.ts';
import { parseDuration, parseSize } from './units.ts';

type Raw = Record<string, unknown>;
export type ReportProblem = (path: YamlPath, message: string) => void;

const DEF = ROUTE_DEFAULTS;

export function buildConfig(file: string, raw: Raw, report: ReportProblem): GatewayConfig {
  const upstreams = new Map<string, UpstreamConfig>();
  for (const [name, value] of Object.entries(asObject(raw.upstreams))) {
    upstreams.set(name, buildUpstream(name, asObject(value), ['upstreams', name], report));
  }
  const services = new Map<string, ServiceConfig>();
  for (const [name, value] of Object.entries(asObject(raw.services))) {
    const at = ['services', name];
    if (upstreams.has(name)) report(at, `name "${name}" is already used by an upstream`);
    const body = asObject(value);
    services.set(name, {
      name,
      url: buildUrl(body.url, [...at, 'url'], report),
      process: buildProcess(asObject(body.process), [...at, 'process'], report),
      health: body.health === undefined ? null : buildHealth(asObject(body.health), [...at, 'health'], report),
    });
  }
  const routes: RouteConfig[] = [];
  const seen = new Map<string, number>();
  (Array.isArray(raw.routes) ? raw.routes : []).forEach((value: unknown, index: number) => {
    const at: YamlPath = ['routes', index];
    const route = buildRoute(asObject(value), at, upstreams, report);
    if (!route) return;
    const previous = seen.get(route.prefix);
    if (previous !== undefined) report([...at, 'prefix'], `duplicate prefix "${route.prefix}" (also routes[${previous}])`);
    else seen.set(route.prefix, index);
    routes.push(route);
  });
  routes.sort((a, b) => b.prefix.length - a.prefix.length);
  return { file, upstreams, services, routes };
}

function buildUpstream(name: string, body: Raw, at: YamlPath, report: ReportProblem): UpstreamConfig {
  const url = buildUrl(body.url, [...at, 'url'], report);
  const process = body.process === undefined || body.process === null ? null : buildProcess(asObject(body.process), [...at, 'process'], report);
  if (!process && (body.url === undefined || body.url === null || body.url === '')) report(at, 'needs a url, a process, or both');
  const timeouts = asObject(body.timeouts);
  return {
    name,
    url,
    process,
    health: buildHealth(asObject(body.health), [...at, 'health'], report),
    timeouts: {
      connectMs: duration(timeouts.connect ?? DEF.upstream.timeouts.connect, [...at, 'timeouts', 'connect'], report),
      requestMs: duration(timeouts.request ?? DEF.upstream.timeouts.request, [...at, 'timeouts', 'request'], report),
    },
  };
}

function buildProcess(body: Raw, at: YamlPath, report: ReportProblem): ProcessConfig {
  const command = Array.isArray(body.command) ? body.command.map(String) : [];
  if (command.length === 0) report([...at, 'command'], 'a process needs a command (a non-empty list)');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(asObject(body.env))) env[key] = value === null || value === undefined ? '' : String(value);
  const restart = asObject(body.restart);
  const d = DEF.upstream.process;
  const r = d.restart;
  return {
    command,
    cwd: typeof body.cwd === 'string' ? body.cwd : d.cwd,
    env,
    autostart: typeof body.autostart === 'boolean' ? body.autostart : d.autostart,
    restart: {
      policy: (restart.policy as RestartPolicy | undefined) ?? r.policy,
      backoffInitialMs: duration(restart.backoff_initial ?? r.backoff_initial, [...at, 'restart', 'backoff_initial'], report),
      backoffMaxMs: duration(restart.backoff_max ?? r.backoff_max, [...at, 'restart', 'backoff_max'], report),
      resetAfterMs: duration(restart.reset_after ?? r.reset_after, [...at, 'restart', 'reset_after'], report),
      startLimitBurst: typeof restart.start_limit_burst === 'number' ? restart.start_limit_burst : r.start_limit_burst,
      startLimitIntervalMs: duration(restart.start_limit_interval ?? r.start_limit_interval, [...at, 'restart', 'start_limit_interval'], report),
    },
    stopGraceMs: duration(body.stop_grace ?? d.stop_grace, [...at, 'stop_grace'], report),
    startTimeoutMs: duration(body.start_timeout ?? d.start_timeout, [...at, 'start_timeout'], report),
  };
}

function buildHealth(body: Raw, at: YamlPath, report: ReportProblem): HealthConfig {
  const d = DEF.upstream.health;
  const int = (value: unknown, fallback: number) => (typeof value === 'number' ? value : fallback);
  const health: HealthConfig = {
    path: typeof body.path === 'string' ? body.path : d.path,
    intervalMs: duration(body.interval ?? d.interval, [...at, 'interval'], report),
    timeoutMs: duration(body.timeout ?? d.timeout, [...at, 'timeout'], report),
    unhealthyThreshold: int(body.unhealthy_threshold, d.unhealthy_threshold),
    healthyThreshold: int(body.healthy_threshold, d.healthy_threshold),
    critical: typeof body.critical === 'boolean' ? body.critical : d.critical,
    restartAfterFailures: int(body.restart_after_failures, d.restart_after_failures),
  };
  if (health.intervalMs === 0) report([...at, 'interval'], 'must be greater than 0');
  return health;
}

function buildRoute(body: Raw, at: YamlPath, upstreams: Map<string, UpstreamConfig>, report: ReportProblem): RouteConfig | null {
  const prefix = normalisePrefix(String(body.prefix ?? ''), [...at, 'prefix'], report);
  const upstreamName = String(body.upstream ?? '');
  const upstream = upstreams.get(upstreamName);
  if (!upstream) {
    const known = [...upstreams.keys()].join(', ') || 'none defined';
    report([...at, 'upstream'], `unknown upstream "${upstreamName}" (expected one of: ${known})`);
  }
  if (prefix === null) return null;
  let rewrite: string | null = DEF.route.rewrite;
  if (typeof body.rewrite === 'string') {
    rewrite = body.rewrite.replace(/\/+$/, '');
    if (rewrite !== '' && !rewrite.startsWith('/')) report([...at, 'rewrite'], 'must be "" (strip the prefix) or start with "/"');
  }
  const auth = (body.auth as AuthPolicy | undefined) ?? DEF.route.auth;
  return {
    prefix,
    upstream: upstreamName,
    rewrite,
    auth,
    websocket: typeof body.websocket === 'boolean' ? body.websocket : DEF.route.websocket,
    timeoutMs: body.timeout === undefined ? (upstream?.timeouts.requestMs ?? 30_000) : duration(body.timeout, [...at, 'timeout'], report),
    bodyLimitBytes: size(body.body_limit ?? DEF.route.body_limit, [...at, 'body_limit'], report),
    forwardAuthorization: typeof body.forward_authorization === 'boolean' ? body.forward_authorization : DEF.route.forward_authorization,
    rateLimit: body.rate_limit === undefined || body.rate_limit === null ? null : buildRateLimit(asObject(body.rate_limit), auth, [...at, 'rate_limit'], report),
  };
}

/** "/api/v1/orm/" → "/api/v1/orm"; refuses prefixes a normalised request path could never carry. */
function normalisePrefix(prefix: string, at: YamlPath, report: ReportProblem): string | null {
  if (!prefix.startsWith('/')) {
    report(at, 'must start with "/"');
    return null;
  }
  const trimmed = prefix === '/' ? '/' : prefix.replace(/\/+$/, '');
  const segments = trimmed.split('/').slice(1);
  if (trimmed !== '/' && segments.some((s) => s === '' || s === '.' || s === '..' || /[%\\?#\0]/.test(s))) {
    report(at, 'must be a plain path: no empty, "." or ".." segments, "%", "\\", "?" or "#"');
    return null;
  }
  return trimmed;
}

function buildUrl(value: unknown, at: YamlPath, report: ReportProblem): string | null {
  if (value === undefined || value === null || value === '') return null;
  try {
    const url = new URL(String(value));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return url.toString().replace(/\/$/, '');
  } catch {
    report(at, `not an http(s) URL: "${String(value)}"`);
    return null;
  }
}

function duration(value: unknown, at: YamlPath, report: ReportProblem): number {
  const ms = parseDuration(value);
  if (ms === null) report(at, `bad duration "${String(value)}" (expected e.g. "500ms", "10s", "5m" or milliseconds)`);
  return ms ?? 0;
}

function size(value: unknown, at: YamlPath, report: ReportProblem): number {
  const bytes = parseSize(value);
  if (bytes === null) report(at, `bad size "${String(value)}" (expected e.g. "64kb", "1mb" or bytes)`);
  return bytes ?? 0;
}

function asObject(value: unknown): Raw {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : {};
}
