// The live output of supervised services, for log streams: a snapshot of a
// service's last lines plus every line captured after it. One feed in the process
// that owns the supervisor (the primary; the single-process test gateway); a
// worker reaches it over IPC (gateway/cluster/log-follows.ts). New lines are
// handed out in batches, one per turn of the event loop, so a chatty child costs
// one delivery per turn rather than one per line, and lines are parsed into
// entries only for services someone follows.
import type { EventEmitter } from 'node:events';
import { errors } from '../pipeline/errors.ts';
import { isLineIdOfThisProcess, lastLineIdSoFar, toLogRecord, type LogRecord, type RecordsAfter, type StoredLine } from '../supervisor/line-buffer.ts';
import type { SupervisorEvents } from '../supervisor/supervisor.ts';
import { ServiceControlError, type Supervisor } from '../supervisor/types.ts';

/** A service's last lines, and the id up to which every line was captured before the snapshot. */
export interface LogSnapshot {
  records: LogRecord[];
  lastId: number;
  /** Resumed after a line id, and lines after it may be missing: no longer kept, or the id was not this gateway process's. */
  gap: boolean;
}

/** Which lines a stream starts with: the last `lines`, or (a client resuming with Last-Event-ID) every kept line after `afterId`. */
export interface LogStart {
  lines: number;
  afterId?: number;
}

export interface LogSubscription {
  /** The starting records at the moment of subscribing (plus any captured since, for a remote source). */
  backlog: LogRecord[];
  /** See LogSnapshot.gap. */
  gap: boolean;
  close(): void;
}

/** Where a log stream's lines come from: this feed in-process, or the primary's over IPC (gateway/cluster/remote-log-source.ts). */
export interface LogSource {
  /** The backlog and, to onRecords, every later record until close(); rejects SERVICE_NOT_FOUND for an unknown service. */
  follow(service: string, start: LogStart, onRecords: (records: LogRecord[]) => void): Promise<LogSubscription>;
}

export interface LogFeedOptions {
  supervisor: Pick<Supervisor, 'logRecords' | 'logRecordsAfter'> & Pick<EventEmitter<SupervisorEvents>, 'on' | 'off'>;
  /** Whether the name is a service of the services API (a process, or a virtual one such as health_monitor, which has no output). */
  exists: (name: string) => boolean;
}

interface Listener {
  /** Records up to this id were in the listener's snapshot (or before it): not delivered again. */
  after: number;
  deliver: (records: LogRecord[]) => void;
}

export class LogFeed implements LogSource {
  readonly #options: LogFeedOptions;
  readonly #listeners = new Map<string, Set<Listener>>();
  /** Lines captured this turn, by service (only services with listeners). */
  readonly #pending = new Map<string, StoredLine[]>();
  #flushScheduled = false;
  readonly #onOutput = (name: string, line: StoredLine) => this.#collect(name, line);

  constructor(options: LogFeedOptions) {
    this.#options = options;
    options.supervisor.on('output', this.#onOutput);
  }

  /** A service's starting records (see LogStart); throws SERVICE_NOT_FOUND (404) for an unknown name. */
  snapshot(service: string, start: LogStart): LogSnapshot {
    if (!this.#options.exists(service)) throw errors.serviceNotFound(service);
    const lastId = lastLineIdSoFar();
    const { supervisor } = this.#options;
    const { afterId } = start;
    if (afterId === undefined) return { ...this.#outputOf(() => ({ records: supervisor.logRecords(service, start.lines), gap: false })), lastId };
    // An id this process never gave (an earlier gateway's, another replica's): whatever came
    // after it there is gone; everything kept here is newer than it.
    const known = isLineIdOfThisProcess(afterId);
    const { records, gap } = this.#outputOf(() => supervisor.logRecordsAfter(service, known ? afterId : 0));
    return { records, lastId, gap: gap || !known };
  }

  /** Snapshot and subscription at one instant: nothing captured after the snapshot is missed, nothing in it repeated. */
  subscribe(service: string, start: LogStart, onRecords: (records: LogRecord[]) => void): { snapshot: LogSnapshot; close: () => void } {
    const snapshot = this.snapshot(service, start);
    const listener: Listener = { after: snapshot.lastId, deliver: onRecords };
    const set = this.#listeners.get(service) ?? new Set();
    set.add(listener);
    this.#listeners.set(service, set);
    const close = () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(service) === set) {
        this.#listeners.delete(service);
        this.#pending.delete(service);
      }
    };
    return { snapshot, close };
  }

  async follow(service: string, start: LogStart, onRecords: (records: LogRecord[]) => void): Promise<LogSubscription> {
    const { snapshot, close } = this.subscribe(service, start, onRecords);
    return { backlog: snapshot.records, gap: snapshot.gap, close };
  }

  /** Subscriptions open now (every listener of every service). */
  subscribers(): number {
    let count = 0;
    for (const set of this.#listeners.values()) count += set.size;
    return count;
  }

  close(): void {
    this.#options.supervisor.off('output', this.#onOutput);
    this.#listeners.clear();
    this.#pending.clear();
  }

  /** What read() gets from the supervisor; nothing for a virtual service. */
  #outputOf(read: () => RecordsAfter): RecordsAfter {
    try {
      return read();
    } catch (error) {
      // A virtual service (health_monitor) is not the supervisor's: it has no output.
      if (error instanceof ServiceControlError && error.status === 404) return { records: [], gap: false };
      throw error;
    }
  }

  #collect(name: string, line: StoredLine): void {
    if (!this.#listeners.has(name)) return;
    const lines = this.#pending.get(name) ?? [];
    lines.push(line);
    this.#pending.set(name, lines);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    for (const [name, lines] of this.#pending) {
      const records = lines.map(toLogRecord);
      for (const listener of this.#listeners.get(name) ?? []) {
        const fresh = records.filter((record) => record.id > listener.after);
        if (fresh.length === 0) continue;
        try {
          listener.deliver(fresh);
        } catch {
          // One follower's failure must not stop the others.
        }
      }
    }
    this.#pending.clear();
  }
}
