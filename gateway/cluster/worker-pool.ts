// The primary's pool of data-plane workers (node:cluster; docs/workers.md says why
// cluster and not reusePort). It forks WORKERS processes that share the listener,
// starts each with the committed config and the secrets made once here, keeps
// every one of them at that config (two-phase reloads, catch-up of a worker that
// started mid-reload), replaces one that crashes or stops answering heartbeats,
// and drains them all on shutdown. Facts are pushed, never pulled per request.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/types.ts';
import type { MetricsSnapshot } from '../metrics/aggregate.ts';
import { IpcPeer, type IpcEndpoint } from './ipc.ts';
import { IPC_TIMEOUT_MS, type PrimarySide, type WorkerEvents, type WorkerInit, type WorkerSide } from './protocol.ts';
import { workerExecArgv } from './worker-node-flags.ts';

export interface WorkerPoolOptions {
  count: number;
  heartbeatTimeoutMs: number;
  logger: Logger;
  /** The start message for a worker in `slot`, built from the primary's facts of the moment. */
  init: (slot: number) => Omit<WorkerInit, 'slot' | 'version' | 'config'>;
  /** The committed config a new worker starts with. */
  config: GatewayConfig;
  /**
   * Wires the primary's answers to a worker's requests and events (called once per
   * worker); what it returns runs when that worker exits (to forget what it held).
   */
  serve: (peer: WorkerPeer, slot: number) => void | (() => void);
  now?: () => number;
}

/** The primary's end of one worker's channel. */
export type WorkerPeer = IpcPeer<PrimarySide, WorkerSide>;

type Phase = 'starting' | 'serving' | 'draining';

interface Member {
  slot: number;
  worker: Worker;
  peer: WorkerPeer;
  phase: Phase;
  /** The config version it runs. */
  version: number;
  lastHeartbeat: number;
  /** Why it is being replaced, for the log and /health/check. */
  fate: string | null;
  /** What serve() asked to run when the worker is gone. */
  release: () => void;
}

/** A worker that dies before serving this many times in a row is not restarted at once (backoff, capped). */
const RESTART_BACKOFF_MAX_MS = 30_000;

export class WorkerListenError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined) {
    super(message);
    this.code = code;
  }
}

export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #members = new Map<number, Member>();
  readonly #now: () => number;
  readonly #failedStarts = new Map<number, number>();
  #config: GatewayConfig;
  #version = 1;
  #port = 0;
  #draining = false;
  #heartbeat: NodeJS.Timeout | null = null;
  #lastBeat = 0;
  #exited = new Map<number, () => void>();

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#now = options.now ?? Date.now;
    // Several workers: the primary accepts each connection and hands it to the
    // next worker (round-robin: an even spread, a hung worker gets at most one).
    // One worker: there is nothing to balance, so it accepts from the shared
    // socket itself; the hand-over over IPC cost ~100 µs of CPU per connection
    // and put the primary's event loop in front of every new client
    // (docs/workers.md). Must be set before the first setupPrimary()/fork().
    cluster.schedulingPolicy = options.count === 1 ? cluster.SCHED_NONE : cluster.SCHED_RR;
    // Structured clone on the channel: a GatewayConfig's Maps survive the trip.
    // The workers' V8 flags: worker-node-flags.ts (pretenuring off, for the tail).
    cluster.setupPrimary({ serialization: 'advanced', execArgv: workerExecArgv(process.execArgv) });
    cluster.on('exit', (worker, code, signal) => this.#onExit(worker, code, signal));
  }

  /** Heartbeats go out this often; a worker silent for heartbeatTimeoutMs is replaced. */
  get heartbeatIntervalMs(): number {
    return Math.max(100, Math.min(1000, Math.floor(this.#options.heartbeatTimeoutMs / 4)));
  }

  /** Forks every worker; resolves the shared port once all of them listen. Rejects WorkerListenError when they cannot. */
  async start(): Promise<number> {
    const ports = await Promise.all(Array.from({ length: this.#options.count }, (_, index) => this.#fork(index + 1)));
    this.#port = ports[0]!;
    this.#heartbeat = setInterval(() => this.#beat(), this.heartbeatIntervalMs);
    this.#heartbeat.unref();
    return this.#port;
  }

  /** Pid of each serving worker, by slot (for logs and tests). */
  pids(): Record<number, number | undefined> {
    return Object.fromEntries([...this.#members.values()].map((member) => [member.slot, member.worker.process.pid]));
  }

  /** Every serving worker's metrics registry as JSON (a worker that does not answer is left out of the scrape). */
  async metricsSnapshots(): Promise<MetricsSnapshot[]> {
    const members = [...this.#members.values()].filter((member) => member.phase === 'serving');
    const outcomes = await Promise.allSettled(members.map((member) => member.peer.request('metrics-snapshot', null)));
    return outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  }

  /** Tells every worker (that can hear it) something the primary learned. */
  broadcast<K extends keyof WorkerEvents & string>(kind: K, body: WorkerEvents[K], except?: WorkerPeer): void {
    for (const member of this.#members.values()) if (member.peer !== except && member.phase !== 'draining') member.peer.notify(kind, body);
  }

  /**
   * What /health/check reports about the pool: nothing while every worker serves
   * and answers heartbeats; else why not (no pids: public endpoint).
   */
  failing(): Record<string, string> {
    if (this.#draining) return { workers: 'the worker pool is draining' };
    const overdue = this.heartbeatIntervalMs * 2 + 500;
    const problems: string[] = [];
    for (let slot = 1; slot <= this.#options.count; slot++) {
      const member = this.#members.get(slot);
      if (!member) problems.push(`worker ${slot} is being replaced`);
      else if (member.phase === 'starting') problems.push(`worker ${slot} is starting`);
      else if (this.#now() - member.lastHeartbeat > overdue) problems.push(`worker ${slot} is not answering heartbeats`);
    }
    return problems.length === 0 ? {} : { workers: problems.join('; ') };
  }

  /**
   * Phase one of a reload on every serving worker. Resolves the commit (phase two)
   * when all prepared; rejects, after telling them to drop it, when any did not.
   */
  async prepare(config: GatewayConfig): Promise<() => void> {
    const version = this.#version + 1;
    const members = [...this.#members.values()].filter((member) => member.phase === 'serving');
    const outcomes = await Promise.allSettled(members.map((member) => member.peer.request('prepare', { version, config })));
    const failures = outcomes.flatMap((outcome, index) => (outcome.status === 'rejected' ? [`worker ${members[index]!.slot}: ${(outcome.reason as Error).message}`] : []));
    if (failures.length > 0) {
      for (const member of members) member.peer.notify('abort', { version });
      throw new Error(`not every worker could prepare it (${failures.join('; ')})`);
    }
    return () => {
      this.#version = version;
      this.#config = config;
      for (const member of members) {
        if (member.phase !== 'serving') continue;
        member.peer.request('commit', { version }).then(
          () => void (member.version = version),
          (error: Error) => this.#replace(member, `could not commit reload ${version}: ${error.message}`),
        );
      }
      // Workers that began serving during phase one start at the old version: they catch up now.
      for (const member of this.#members.values()) if (member.phase === 'serving' && !members.includes(member)) void this.#catchUp(member);
    };
  }

  /** SIGTERM: every worker stops accepting and finishes its requests within graceMs, then exits. */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await Promise.all(
      [...this.#members.values()].map(async (member) => {
        const exited = this.#exitOf(member);
        member.phase = 'draining';
        // Past the grace plus a margin the worker is killed: shutdown never hangs on one.
        const drained = await member.peer.request('drain', { graceMs }, graceMs + IPC_TIMEOUT_MS).then(
          () => true,
          (error: Error) => {
            if (member.worker.isDead()) return false;
            this.#options.logger.warn({ worker: member.slot, worker_pid: member.worker.process.pid, err: error.message }, `worker ${member.slot} did not drain in time: killing it`);
            member.worker.process.kill('SIGKILL');
            return false;
          },
        );
        // Drained: closing the channel is the worker's signal to exit.
        if (drained && member.worker.isConnected()) member.worker.disconnect();
        await exited;
      }),
    );
  }

  #exitOf(member: Member): Promise<void> {
    if (member.worker.isDead()) return Promise.resolve();
    return new Promise((resolve) => this.#exited.set(member.worker.id, resolve));
  }

  async #fork(slot: number): Promise<number> {
    const worker = cluster.fork();
    const peer: WorkerPeer = new IpcPeer<PrimarySide, WorkerSide>(worker as unknown as IpcEndpoint, { timeoutMs: IPC_TIMEOUT_MS });
    const member: Member = { slot, worker, peer, phase: 'starting', version: this.#version, lastHeartbeat: this.#now(), fate: null, release: () => {} };
    this.#members.set(slot, member);
    // A worker that cannot be told something is about to be replaced: nothing to throw.
    worker.on('error', (error) => this.#options.logger.debug({ worker: slot, err: error.message }, 'worker channel error'));
    member.release = this.#options.serve(peer, slot) ?? (() => {});
    const version = this.#version;
    const init: WorkerInit = { ...this.#options.init(slot), slot, version, config: this.#config };
    let port: number;
    try {
      // The first start of a big route table on a busy machine: generous, but bounded.
      ({ port } = await peer.request('init', init, 60_000));
    } catch (error) {
      const remote = (error as { remote?: { code?: string; message: string } }).remote;
      if (member.worker.isConnected()) member.worker.process.kill('SIGKILL');
      throw new WorkerListenError(remote?.message ?? (error as Error).message, remote?.code);
    }
    member.phase = 'serving';
    member.lastHeartbeat = this.#now();
    this.#failedStarts.delete(slot);
    this.#options.logger.info({ worker: slot, worker_pid: worker.process.pid, port }, `worker ${slot} serving (pid ${worker.process.pid})`);
    if (version !== this.#version) await this.#catchUp(member);
    return port;
  }

  /** A worker that started with an older config gets the committed one (prepare + commit at once). */
  async #catchUp(member: Member): Promise<void> {
    const version = this.#version;
    try {
      await member.peer.request('apply', { version, config: this.#config });
      member.version = version;
      this.#options.logger.info({ worker: member.slot, version }, `worker ${member.slot} caught up with the reloaded config`);
    } catch (error) {
      this.#replace(member, `could not take the reloaded config: ${(error as Error).message}`);
    }
  }

  #beat(): void {
    const now = this.#now();
    // The primary itself was stalled (a long synchronous step, a stopped process):
    // the silence is ours, not the workers'. Start counting afresh.
    const stalled = this.#lastBeat !== 0 && now - this.#lastBeat > this.heartbeatIntervalMs * 3;
    this.#lastBeat = now;
    if (stalled) for (const member of this.#members.values()) member.lastHeartbeat = now;
    for (const member of this.#members.values()) {
      if (member.phase !== 'serving' || member.fate) continue;
      if (now - member.lastHeartbeat > this.#options.heartbeatTimeoutMs) {
        this.#replace(member, `no heartbeat answer for ${now - member.lastHeartbeat} ms (event loop stuck?)`);
        continue;
      }
      member.peer.request('ping', null, this.#options.heartbeatTimeoutMs).then(
        () => void (member.lastHeartbeat = this.#now()),
        () => {},
      );
    }
  }

  /** Kills a worker that cannot go on; its exit brings the replacement. */
  #replace(member: Member, why: string): void {
    if (member.fate || member.phase === 'draining') return;
    member.fate = why;
    this.#options.logger.error({ worker: member.slot, worker_pid: member.worker.process.pid, reason: why }, `worker ${member.slot} (pid ${member.worker.process.pid}): ${why}; replacing it`);
    member.worker.process.kill('SIGKILL');
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    const member = [...this.#members.values()].find((candidate) => candidate.worker === worker);
    this.#exited.get(worker.id)?.();
    this.#exited.delete(worker.id);
    if (!member) return;
    member.peer.close(`worker ${member.slot} exited`);
    member.release();
    this.#members.delete(member.slot);
    if (this.#draining || member.phase === 'draining') return;
    if (member.phase === 'starting') return; // start() reports it (WorkerListenError), or the replacement loop below retries
    if (!member.fate) this.#options.logger.error({ worker: member.slot, worker_pid: worker.process.pid, code, signal }, `worker ${member.slot} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); replacing it`);
    this.#respawn(member.slot);
  }

  /** Forks a replacement in the slot; a replacement that keeps failing to start waits longer each time. */
  #respawn(slot: number): void {
    if (this.#draining) return;
    const failures = this.#failedStarts.get(slot) ?? 0;
    const delayMs = failures === 0 ? 0 : Math.min(RESTART_BACKOFF_MAX_MS, 250 * 2 ** (failures - 1));
    const timer = setTimeout(() => {
      this.#fork(slot).catch((error: Error) => {
        this.#failedStarts.set(slot, failures + 1);
        this.#options.logger.error({ worker: slot, err: error.message, retry: failures + 1 }, `replacement worker ${slot} failed to start: ${error.message}`);
        this.#respawn(slot);
      });
    }, delayMs);
    timer.unref();
  }
}
