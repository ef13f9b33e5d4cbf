// The app-wide supervisor: one ServiceUnit per `process:` in routes.yaml
// (upstreams and route-less services), reconciled on every applied config, and
// the bridge from unit states to the UpstreamRegistry the proxy reads
// (its process fact: up only while running, down with Retry-After otherwise; the
// registry's only writer of that fact).
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { GatewayConfig, HealthConfig, ProcessConfig } from '../config/types.ts';
import { probeHealth, type Probe } from '../probe/health-probe.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import { generateAssertionKey, publicJwkOf } from '../auth/assertion-key.ts';
import { buildChildEnv } from './child-env.ts';
import { HopIdentities } from './hop-identities.ts';
import { relogChildLine } from './child-output.ts';
import { sleep, systemClock, type Clock } from './clock.ts';
import type { LogEntry, LogRecord, RecordsAfter, StoredLine } from './line-buffer.ts';
import { SUPERVISOR_POLICY } from './policy.ts';
import { pickFreePort } from './ports.ts';
import { ServiceUnit, type Transition, type UnitDeps, type UnitSpec } from './service-unit.ts';
import { spawnProcess, type Spawner } from './spawner.ts';
import { ServiceControlError, type ServiceStatusBody, type Supervisor } from './types.ts';

export interface SupervisorOptions {
  registry: UpstreamRegistry;
  logger: Logger;
  /** The gateway's environment (source of the few variables children inherit). */
  env?: NodeJS.ProcessEnv;
  spawner?: Spawner;
  clock?: Clock;
  probe?: Probe;
  random?: () => number;
  pickPort?: () => Promise<number>;
  /** The children's keys (public gateway JWKS, their own service keys); default: made for a throwaway gateway key. */
  identities?: HopIdentities;
  /** Whether a process with `autostart` in routes.yaml starts with startAll (SERVICE_AUTO_START_ENABLED...); default all. */
  autostart?: (name: string, kind: 'upstream' | 'service') => boolean;
}

export interface SupervisorEvents {
  transition: [transition: Transition];
  replaced: [name: string];
  /** A line of a supervised process's output, as its log buffer kept it (services-api/log-feed.ts follows these). */
  output: [name: string, line: StoredLine];
}

interface Entry {
  kind: 'upstream' | 'service';
  /** null: externally managed (url without process). */
  unit: ServiceUnit | null;
  /** Base URL, when known. */
  url: string | null;
  port: number | null;
  autostart: boolean;
}

export type AppSupervisor = Supervisor & EventEmitter<SupervisorEvents> & {
  /** Whether the gateway controls this name's process. */
  isManaged(name: string): boolean;
  kindOf(name: string): 'upstream' | 'service' | undefined;
  /** Base URL of a supervised service (its loopback port), for health probes. */
  baseUrlOf(name: string): string | null;
  /** Old and new process overlap in a zero-downtime restart: connection errors now say nothing. */
  isSwitching(name: string): boolean;
  /**
   * For a reload transaction (config/reload-transaction.ts): picks the ports new
   * processes need (what can fail) and returns the apply that uses them.
   */
  prepare(config: GatewayConfig): Promise<() => Promise<void>>;
};

export function createSupervisor(options: SupervisorOptions): AppSupervisor {
  return new ProcessSupervisor(options);
}

class ProcessSupervisor extends EventEmitter<SupervisorEvents> implements Supervisor {
  readonly #entries = new Map<string, Entry>();
  readonly #options: SupervisorOptions;
  readonly #deps: UnitDeps;
  readonly #identities: HopIdentities;
  #autostarted = false;
  /** Ports prepare() picked for the apply under way. */
  #reservedPorts: ReadonlyMap<string, number> = new Map();
  readonly #onProcessExit = () => {
    for (const entry of this.#entries.values()) entry.unit?.signalNow('SIGTERM');
  };

  constructor(options: SupervisorOptions) {
    super();
    this.#options = options;
    const env = options.env ?? process.env;
    this.#identities = options.identities ?? new HopIdentities({ gatewayJwks: { keys: [publicJwkOf(generateAssertionKey())] } });
    this.#deps = {
      spawner: options.spawner ?? spawnProcess,
      clock: options.clock ?? systemClock,
      probe: options.probe ?? probeHealth,
      random: options.random ?? Math.random,
      envFor: (spec) =>
        buildChildEnv({ name: spec.name, gatewayEnv: env, configured: spec.process.env, port: spec.port, upstreamUrls: this.#upstreamUrls(), identity: this.#identities.envFor(spec.name) }),
      onLine: (name, stream, line, pid) => relogChildLine(options.logger, name, stream, line, pid),
    };
    // Last resort when the gateway exits without stopAll (pdeathsig covers SIGKILL).
    process.on('exit', this.#onProcessExit);
  }

  async prepare(config: GatewayConfig): Promise<() => Promise<void>> {
    const ports = new Map<string, number>();
    const pick = this.#options.pickPort ?? pickFreePort;
    const supervised = [...[...config.upstreams.values()].filter((upstream) => upstream.process), ...config.services.values()];
    for (const { name, url } of supervised) {
      if (!url && this.#entries.get(name)?.port == null) ports.set(name, await pick());
    }
    return () => this.apply(config, ports);
  }

  async apply(config: GatewayConfig, reservedPorts: ReadonlyMap<string, number> = new Map()): Promise<void> {
    this.#reservedPorts = reservedPorts;
    try {
      await this.#apply(config);
    } finally {
      this.#reservedPorts = new Map();
    }
  }

  async #apply(config: GatewayConfig): Promise<void> {
    const seen = new Set<string>();
    const added: ServiceUnit[] = [];
    for (const upstream of config.upstreams.values()) {
      seen.add(upstream.name);
      if (!upstream.process) {
        await this.#forget(upstream.name);
        this.#entries.set(upstream.name, { kind: 'upstream', unit: null, url: upstream.url, port: null, autostart: false });
        this.#options.registry.setTarget(upstream.name, upstream.url ? new URL(upstream.url) : null);
        // Not supervised (any more): no process fact keeps it down.
        this.#options.registry.setProcessState(upstream.name, null);
        continue;
      }
      added.push(...(await this.#configure(upstream.name, 'upstream', upstream.process, upstream.health, upstream.url, true)));
    }
    for (const service of config.services.values()) {
      seen.add(service.name);
      // Every supervised process gets a PORT (the contract), used or not.
      added.push(...(await this.#configure(service.name, 'service', service.process, service.health, service.url, true)));
    }
    for (const name of [...this.#entries.keys()]) if (!seen.has(name)) await this.#forget(name, true);
    // Every child's key exists before the first starts, so each trusts all the others.
    this.#identities.prepare([...this.#entries].flatMap(([name, entry]) => (entry.unit ? [name] : [])));
    // After startAll, a reload starts only what it added: a service an admin stopped stays stopped.
    const allowed = this.#options.autostart ?? (() => true);
    if (this.#autostarted) void this.#startUnits(added.filter((unit) => unit.spec.process.autostart && allowed(unit.spec.name, this.#entries.get(unit.spec.name)?.kind ?? 'service')));
  }

  /**
   * Upstreams first, then the route-less services once the upstreams are up (or
   * after SUPERVISOR_POLICY.servicesStartAfterMs at most): the collectors need
   * the orm anyway, and on a small machine seven Node processes booting at once
   * slow down the one /health/check waits for (docs/cold-start.md).
   */
  async startAll(): Promise<void> {
    this.#autostarted = true;
    const allowed = this.#options.autostart ?? (() => true);
    const startable = (kind: Entry['kind']) =>
      [...this.#entries.entries()].flatMap(([name, entry]) => (entry.kind === kind && entry.unit && entry.autostart && allowed(name, entry.kind) && entry.unit.state === 'stopped' ? [entry.unit] : []));
    const upstreams = this.#startUnits(startable('upstream'));
    const cap = new AbortController();
    await Promise.race([upstreams, sleep(this.#deps.clock, SUPERVISOR_POLICY.servicesStartAfterMs, cap.signal)]);
    cap.abort();
    // A reload or stopAll in between decides anew; only what is still stopped starts.
    if (this.#autostarted) await this.#startUnits(startable('service'));
    await upstreams;
  }

  async #startUnits(units: ServiceUnit[]): Promise<void> {
    const log = this.#options.logger;
    await Promise.all(units.map((unit) => unit.start().catch((error: Error) => log.error({ service_name: unit.spec.name, err: error.message }, `${unit.spec.name}: did not start`))));
  }

  async stopAll(): Promise<void> {
    this.#autostarted = false;
    await Promise.all([...this.#entries.values()].map((entry) => entry.unit?.dispose()));
    process.off('exit', this.#onProcessExit);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  isManaged(name: string): boolean {
    return Boolean(this.#entries.get(name)?.unit);
  }

  kindOf(name: string): 'upstream' | 'service' | undefined {
    return this.#entries.get(name)?.kind;
  }

  isSwitching(name: string): boolean {
    return this.#entries.get(name)?.unit?.switching ?? false;
  }

  baseUrlOf(name: string): string | null {
    return this.#entries.get(name)?.url ?? null;
  }

  status(name: string): ServiceStatusBody | undefined {
    const entry = this.#entries.get(name);
    if (!entry) return undefined;
    const upstreamUp = this.#options.registry.get(name)?.availability === 'up';
    const unit = entry.unit;
    if (!unit) {
      return { service: name, status: upstreamUp ? 'running' : 'stopped', is_running: upstreamUp, healthy: upstreamUp, pid: null, uptime_s: null, restarts: 0, last_exit: null, managed: false };
    }
    const running = unit.state === 'running';
    return {
      service: name,
      status: unit.state,
      is_running: running,
      healthy: running && (entry.kind === 'service' || upstreamUp),
      pid: unit.pid,
      uptime_s: running && unit.startedAt !== null ? Math.round((this.#deps.clock.now() - unit.startedAt) / 1000) : null,
      restarts: unit.restarts,
      last_exit: unit.lastExit,
      managed: true,
    };
  }

  start(name: string): Promise<void> {
    return this.#controlled(name).start();
  }

  stop(name: string): Promise<void> {
    return this.#controlled(name).stop();
  }

  restart(name: string): Promise<void> {
    return this.#controlled(name).restart();
  }

  logs(name: string, lines: number): LogEntry[] {
    const entry = this.#entries.get(name);
    if (!entry) throw new ServiceControlError(404, `Service '${name}' not found`);
    return entry.unit ? entry.unit.logs.tail(lines) : [];
  }

  logRecords(name: string, lines: number): LogRecord[] {
    const entry = this.#entries.get(name);
    if (!entry) throw new ServiceControlError(404, `Service '${name}' not found`);
    return entry.unit ? entry.unit.logs.records(lines) : [];
  }

  logRecordsAfter(name: string, afterId: number): RecordsAfter {
    const entry = this.#entries.get(name);
    if (!entry) throw new ServiceControlError(404, `Service '${name}' not found`);
    return entry.unit ? entry.unit.logs.recordsAfter(afterId) : { records: [], gap: false };
  }

  #controlled(name: string): ServiceUnit {
    const entry = this.#entries.get(name);
    if (!entry) throw new ServiceControlError(404, `Service '${name}' not found`);
    if (!entry.unit) throw new ServiceControlError(409, `${name} is externally managed (a url without a process in routes.yaml): the gateway does not control it`);
    return entry.unit;
  }

  /** Creates or updates the unit; returns it when it is new. */
  async #configure(name: string, kind: Entry['kind'], processConfig: ProcessConfig, health: HealthConfig | null, url: string | null, needsPort: boolean): Promise<ServiceUnit[]> {
    const existing = this.#entries.get(name);
    const port = url ? portOf(url) : needsPort ? (existing?.port ?? this.#reservedPorts.get(name) ?? (await (this.#options.pickPort ?? pickFreePort)())) : null;
    const base = url ?? (port !== null ? `http://127.0.0.1:${port}` : null);
    const spec: UnitSpec = { name, process: processConfig, port, healthUrl: health && base ? new URL(health.path, base).toString() : null };
    if (existing?.unit) {
      existing.unit.update(spec);
      Object.assign(existing, { kind, url: base, port, autostart: processConfig.autostart });
    } else {
      const unit = new ServiceUnit(spec, this.#deps);
      unit.on('transition', (transition) => this.#onTransition(kind, unit, transition));
      unit.on('output', (line) => this.emit('output', name, line));
      unit.on('replaced', (replaced) => {
        // The replacement passed its readiness check: traffic may go (back) to it.
        if (kind === 'upstream' && this.#entries.get(name)?.unit === unit) this.#options.registry.setProcessState(name, { up: true });
        this.emit('replaced', replaced);
      });
      this.#entries.set(name, { kind, unit, url: base, port, autostart: processConfig.autostart });
      if (kind === 'upstream') this.#options.registry.setProcessState(name, { up: false, reason: 'not started', retryAfterS: unit.retryAfterS });
      if (kind === 'upstream') this.#options.registry.setTarget(name, base ? new URL(base) : null);
      return [unit];
    }
    if (kind === 'upstream') this.#options.registry.setTarget(name, base ? new URL(base) : null);
    return [];
  }

  async #forget(name: string, removeFromRegistry = false): Promise<void> {
    const entry = this.#entries.get(name);
    if (!entry) return;
    this.#entries.delete(name);
    await entry.unit?.dispose();
    if (removeFromRegistry && entry.kind === 'upstream') this.#options.registry.remove(name);
  }

  #onTransition(kind: Entry['kind'], unit: ServiceUnit, transition: Transition): void {
    const { name, from, to, reason } = transition;
    const level = to === 'failed' || to === 'backoff' ? 'warn' : 'info';
    this.#options.logger[level]({ service_name: name, from, to, reason }, `${name}: ${from} → ${to} (${reason})`);
    if (kind === 'upstream' && this.#entries.get(name)?.unit === unit) {
      if (to === 'running') this.#options.registry.setProcessState(name, { up: true });
      else this.#options.registry.setProcessState(name, { up: false, reason: `${name} is ${to}: ${reason}`, retryAfterS: unit.retryAfterS });
    }
    this.emit('transition', transition);
  }

  #upstreamUrls(): Map<string, string> {
    const urls = new Map<string, string>();
    for (const [name, entry] of this.#entries) if (entry.kind === 'upstream' && entry.url) urls.set(name, entry.url);
    return urls;
  }
}

function portOf(url: string): number {
  const parsed = new URL(url);
  if (parsed.port) return Number(parsed.port);
  return parsed.protocol === 'https:' ? 443 : 80;
}
