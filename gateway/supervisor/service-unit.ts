// One supervised service as an explicit state machine (stopped → starting →
// running → stopping, plus backoff and failed). Admin operations and automatic
// restarts run one at a time through a per-service queue, so concurrent
// start/stop/restart calls never interleave. Processes, time and health probes are
// injected: the transitions are testable without real children.
import { EventEmitter } from 'node:events';
import type { ProcessConfig } from '../config/types.ts';
import type { Probe } from '../probe/health-probe.ts';
import type { Clock } from './clock.ts';
import { LineBuffer, type StoredLine } from './line-buffer.ts';
import { computeBackoffMs, isCleanExit, shouldRestart, StartLimit, SUPERVISOR_POLICY, type ExitFacts } from './policy.ts';
import { awaitReadiness } from './readiness.ts';
import type { ChildHandle, Spawner } from './spawner.ts';
import { ServiceControlError, type ServiceState } from './types.ts';

export interface UnitSpec {
  name: string;
  process: ProcessConfig;
  /** Full URL polled while starting; null = ready once spawned. */
  healthUrl: string | null;
  /** A fixed port the children bind with reusePort: restarts overlap old and new. */
  port: number | null;
}

export interface UnitDeps {
  spawner: Spawner;
  clock: Clock;
  probe: Probe;
  random: () => number;
  /** Environment for the next launch (computed late so discovery URLs are current). */
  envFor(spec: UnitSpec): Record<string, string>;
  onLine(name: string, stream: 'stdout' | 'stderr', line: string, pid: number | null): void;
}

export interface Transition {
  name: string;
  from: ServiceState;
  to: ServiceState;
  reason: string;
}

export interface UnitEvents {
  transition: [transition: Transition];
  /** A running service was replaced by a new process without leaving `running`. */
  replaced: [name: string];
  /** A line of the child's output, as kept in `logs` (log streams follow these). */
  output: [line: StoredLine];
}

export interface LastExit {
  code: number | null;
  signal: string | null;
  at: string;
}

export class ServiceUnit extends EventEmitter<UnitEvents> {
  state: ServiceState = 'stopped';
  reason = 'not started';
  /** Seconds a client should wait while the service is not running. */
  retryAfterS: number = SUPERVISOR_POLICY.retryAfterDownS;
  restarts = 0;
  lastExit: LastExit | null = null;
  startedAt: number | null = null;
  readonly logs = new LineBuffer();
  spec: UnitSpec;
  readonly #deps: UnitDeps;
  #child: ChildHandle | null = null;
  #attempt = 0;
  #launches = 0;
  /** Processes started for this service so far; each one's output carries its number. */
  #generation = 0;
  #startLimit: StartLimit;
  #backoffTimer: unknown = null;
  #stableTimer: unknown = null;
  #startAbort: AbortController | null = null;
  #overlapping = false;
  #switching = false;
  #disposed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(spec: UnitSpec, deps: UnitDeps) {
    super();
    this.spec = spec;
    this.#deps = deps;
    this.#startLimit = new StartLimit(spec.process.restart.startLimitBurst, spec.process.restart.startLimitIntervalMs);
  }

  /** A zero-downtime restart is under way (from the new spawn until the old process exited). */
  get switching(): boolean {
    return this.#switching;
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  /** Last resort on gateway exit: signal the current child's group synchronously. */
  signalNow(signal: NodeJS.Signals): void {
    this.#child?.signal(signal);
  }

  /** A reload's new spec applies from the next launch. */
  update(spec: UnitSpec): void {
    this.spec = spec;
    this.#startLimit = new StartLimit(spec.process.restart.startLimitBurst, spec.process.restart.startLimitIntervalMs);
  }

  start(): Promise<void> {
    return this.#enqueue(() => this.#doStart());
  }

  stop(): Promise<void> {
    const cancelled = this.#cancelStart();
    return this.#enqueue(() => this.#doStop(cancelled));
  }

  restart(): Promise<void> {
    this.#cancelStart();
    return this.#enqueue(() => this.#doRestart());
  }

  /** Gateway shutdown or removal from the config: stop whatever the state, never restart again. */
  dispose(): Promise<void> {
    this.#disposed = true;
    this.#clearBackoff();
    this.#cancelStart();
    return this.#enqueue(async () => {
      if (this.#child) await this.#terminate(this.#child, 'gateway shutting down');
      else if (this.state === 'backoff') this.#transition('stopped', 'gateway shutting down');
    });
  }

  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(() => {});
    return run;
  }

  async #doStart(): Promise<void> {
    if (this.state === 'running' || this.state === 'starting') {
      throw new ServiceControlError(409, `${this.spec.name} is already ${this.state}`);
    }
    this.#disposed = false;
    this.#clearBackoff();
    this.#resetFailures();
    await this.#launch(false);
  }

  async #doStop(cancelledStart: boolean): Promise<void> {
    if (this.state === 'backoff') {
      this.#clearBackoff();
      return this.#transition('stopped', 'stopped by request');
    }
    if (this.#child) return this.#terminate(this.#child, 'stopped by request');
    if (cancelledStart && this.state === 'stopped') return;
    const why = this.state === 'failed' ? `it failed: ${this.reason}` : 'it is stopped';
    throw new ServiceControlError(409, `${this.spec.name} is not running (${why})`);
  }

  async #doRestart(): Promise<void> {
    this.#disposed = false;
    this.#clearBackoff();
    this.#resetFailures();
    const old = this.#child;
    if (old && this.state === 'running' && this.spec.port !== null && this.spec.healthUrl !== null) {
      const outcome = await this.#replace(old);
      if (outcome === 'replaced') return;
      if (outcome === 'cancelled') {
        if (this.#child) await this.#terminate(this.#child, 'restart cancelled');
        else this.#transition('stopped', 'restart cancelled');
        throw new ServiceControlError(409, `restart of ${this.spec.name} was cancelled by a later stop or restart`);
      }
    }
    if (this.#child) await this.#terminate(this.#child, 'restarting');
    if (this.#launches > 0) this.restarts++;
    await this.#launch(false);
  }

  /** Zero-downtime restart: a new process on the same (reusePort) port, ready before the old one drains. */
  async #replace(old: ChildHandle): Promise<'replaced' | 'failed' | 'cancelled'> {
    this.#switching = true;
    try {
      return await this.#overlap(old);
    } finally {
      this.#switching = false;
    }
  }

  async #overlap(old: ChildHandle): Promise<'replaced' | 'failed' | 'cancelled'> {
    this.#overlapping = true;
    const fresh = this.#spawn();
    // Listen from the start: an exit right after readiness must not be missed.
    let adopted = false;
    let earlyExit: { code: number | null; signal: string | null } | null = null;
    fresh.once('exit', (code, signal) => {
      if (adopted) this.#onChildExit(fresh, code, signal);
      else earlyExit = { code, signal };
    });
    const abort = new AbortController();
    this.#startAbort = abort;
    const readiness = await awaitReadiness({
      child: fresh,
      healthUrl: this.spec.healthUrl,
      startTimeoutMs: this.spec.process.startTimeoutMs,
      requireListeningLine: true,
      clock: this.#deps.clock,
      probe: this.#deps.probe,
      signal: abort.signal,
    });
    this.#startAbort = null;
    this.#overlapping = false;
    if (!readiness.ready) {
      if (!readiness.cancelled) this.#deps.onLine(this.spec.name, 'stderr', `replacement process not ready (${readiness.reason}); restarting in place`, fresh.pid);
      await this.#kill(fresh);
      if (old.exited && this.#child === old) this.#child = null;
      return readiness.cancelled ? 'cancelled' : 'failed';
    }
    this.#child = fresh;
    adopted = true;
    this.restarts++;
    this.#markRunningSince(false);
    this.emit('replaced', this.spec.name);
    const exited = earlyExit as { code: number | null; signal: string | null } | null;
    if (exited) this.#onChildExit(fresh, exited.code, exited.signal);
    await this.#kill(old);
    return 'replaced';
  }

  /** Spawn and wait for readiness; on failure apply the restart policy and throw. */
  async #launch(automatic: boolean): Promise<void> {
    const now = this.#deps.clock.now();
    if (this.#startLimit.exceeded(now)) {
      this.#transition('failed', this.#startLimitReason());
      throw new ServiceControlError(503, `${this.spec.name} failed to start: ${this.reason}`);
    }
    this.#startLimit.record(now);
    if (automatic) this.restarts++;
    this.#launches++;
    const child = this.#spawn();
    this.#child = child;
    child.once('exit', (code, signal) => this.#onChildExit(child, code, signal));
    this.#transition('starting', automatic ? 'restarting after backoff' : 'start requested');
    const abort = new AbortController();
    this.#startAbort = abort;
    const readiness = await awaitReadiness({
      child,
      healthUrl: this.spec.healthUrl,
      startTimeoutMs: this.spec.process.startTimeoutMs,
      requireListeningLine: false,
      clock: this.#deps.clock,
      probe: this.#deps.probe,
      signal: abort.signal,
    });
    this.#startAbort = null;
    if (readiness.ready) return this.#markRunningSince(true);
    if (readiness.cancelled) {
      await this.#terminate(child, 'start cancelled');
      throw new ServiceControlError(409, `start of ${this.spec.name} was cancelled by a later stop or restart`);
    }
    if (!readiness.exited) await this.#kill(child);
    this.#child = null;
    this.#afterExit({ code: child.exited ? this.lastExit?.code ?? null : null, signal: null, duringStart: true }, readiness.reason);
    throw new ServiceControlError(503, `${this.spec.name} failed to start: ${readiness.reason}`);
  }

  #spawn(): ChildHandle {
    const child = this.#deps.spawner({
      name: this.spec.name,
      command: this.spec.process.command,
      cwd: this.spec.process.cwd,
      env: this.#deps.envFor(this.spec),
    });
    const generation = ++this.#generation;
    child.on('line', (stream, line) => {
      const stored = this.logs.push({ at: this.#deps.clock.now(), stream, pid: child.pid, generation, line });
      this.#deps.onLine(this.spec.name, stream, line, child.pid);
      this.emit('output', stored);
    });
    return child;
  }

  #onChildExit(child: ChildHandle, code: number | null, signal: string | null): void {
    this.#recordExit(child, code, signal);
    if (child !== this.#child || this.state !== 'running' || this.#overlapping) return;
    // A crash of a running service (a stop or a start in progress handles its own exits).
    this.#child = null;
    this.#clearStable();
    this.#afterExit({ code, signal, duringStart: false }, signal ? `killed by ${signal}` : `exited with code ${code}`);
  }

  #recordExit(child: ChildHandle, code: number | null, signal: string | null): void {
    if (child === this.#child || this.#child === null) {
      this.lastExit = { code, signal, at: new Date(this.#deps.clock.now()).toISOString() };
    }
  }

  /** Restart policy, start limit and backoff after an unplanned exit or a failed start. */
  #afterExit(exit: ExitFacts, reason: string): void {
    const policy = this.spec.process.restart;
    if (this.#disposed) return this.#transition('stopped', reason);
    if (!shouldRestart(policy.policy, exit)) return this.#transition(isCleanExit(exit) ? 'stopped' : 'failed', reason);
    if (this.#startLimit.exceeded(this.#deps.clock.now())) return this.#transition('failed', `${this.#startLimitReason()}; last: ${reason}`);
    const delay = computeBackoffMs(policy, this.#attempt++, this.#deps.random);
    this.retryAfterS = Math.max(1, Math.ceil(delay / 1000));
    this.#backoffTimer = this.#deps.clock.setTimeout(() => {
      this.#backoffTimer = null;
      this.#enqueue(async () => {
        if (this.state === 'backoff' && !this.#disposed) await this.#launch(true);
      }).catch(() => {});
    }, delay);
    this.#transition('backoff', `${reason}; restarting in ${delay} ms`);
  }

  #markRunningSince(announce: boolean): void {
    this.startedAt = this.#deps.clock.now();
    this.#clearStable();
    // PM2 min_uptime / systemd: a run this long resets the backoff sequence.
    this.#stableTimer = this.#deps.clock.setTimeout(() => {
      this.#stableTimer = null;
      this.#attempt = 0;
    }, this.spec.process.restart.resetAfterMs);
    if (announce) this.#transition('running', 'healthy');
  }

  /** SIGTERM to the group, SIGKILL after the grace; resolves at exit, ends `stopped`. */
  async #terminate(child: ChildHandle, reason: string): Promise<void> {
    this.#clearStable();
    this.#transition('stopping', reason);
    await this.#kill(child);
    if (this.#child === child) this.#child = null;
    this.startedAt = null;
    this.#transition('stopped', reason);
  }

  async #kill(child: ChildHandle): Promise<void> {
    if (child.exited) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.signal('SIGTERM');
    const timer = this.#deps.clock.setTimeout(() => child.signal('SIGKILL'), this.spec.process.stopGraceMs);
    await exited;
    this.#deps.clock.clearTimeout(timer);
  }

  #cancelStart(): boolean {
    if (!this.#startAbort) return false;
    this.#startAbort.abort();
    return true;
  }

  #resetFailures(): void {
    this.#startLimit.reset();
    this.#attempt = 0;
  }

  #clearBackoff(): void {
    if (this.#backoffTimer !== null) this.#deps.clock.clearTimeout(this.#backoffTimer);
    this.#backoffTimer = null;
  }

  #clearStable(): void {
    if (this.#stableTimer !== null) this.#deps.clock.clearTimeout(this.#stableTimer);
    this.#stableTimer = null;
  }

  #startLimitReason(): string {
    const { startLimitBurst, startLimitIntervalMs } = this.spec.process.restart;
    return `start limit reached (${startLimitBurst} starts within ${Math.round(startLimitIntervalMs / 1000)} s)`;
  }

  #transition(to: ServiceState, reason: string): void {
    const from = this.state;
    this.state = to;
    this.reason = reason;
    if (to === 'starting') this.retryAfterS = SUPERVISOR_POLICY.retryAfterStartingS;
    else if (to !== 'backoff') this.retryAfterS = SUPERVISOR_POLICY.retryAfterDownS;
    this.emit('transition', { name: this.spec.name, from, to, reason });
  }
}
