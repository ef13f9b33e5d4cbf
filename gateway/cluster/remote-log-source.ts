// A worker's LogSource: the primary owns the supervisor and its output, so the
// worker follows a service over IPC, once for all its streams of that service
// (gateway/cluster/log-follows.ts is the other end). Each stream gets its own
// backlog from the primary, with the id of the last line captured before it;
// lines already on their way for an earlier stream are dropped by that id, so a
// new stream sees neither a gap nor a repeat between its backlog and what follows.
import type { LogRecord } from '../supervisor/line-buffer.ts';
import type { LogSource, LogStart, LogSubscription } from '../services-api/log-feed.ts';
import { asGatewayError } from './forwarded-routes.ts';
import type { IpcPeer } from './ipc.ts';
import { IPC_TIMEOUT_MS, type PrimarySide, type WorkerSide } from './protocol.ts';

type Listener = (records: LogRecord[]) => void;

export class RemoteLogSource implements LogSource {
  readonly #primary: IpcPeer<WorkerSide, PrimarySide>;
  /** service → this worker's streams of it; the primary is followed while the set is not empty. */
  readonly #listeners = new Map<string, Set<Listener>>();

  constructor(primary: IpcPeer<WorkerSide, PrimarySide>) {
    this.#primary = primary;
    primary.on('log-lines', ({ service, records }) => {
      for (const listener of this.#listeners.get(service) ?? []) listener(records);
    });
  }

  async follow(service: string, start: LogStart, onRecords: (records: LogRecord[]) => void): Promise<LogSubscription> {
    // Registered before asking, so nothing sent after the primary's snapshot is missed.
    let after: number | null = null;
    const early: LogRecord[] = [];
    const listener: Listener = (records) => {
      if (after === null) early.push(...records);
      else {
        const fresh = records.filter((record) => record.id > after!);
        if (fresh.length > 0) onRecords(fresh);
      }
    };
    const set = this.#listeners.get(service) ?? new Set();
    set.add(listener);
    this.#listeners.set(service, set);
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(service) === set) {
        this.#listeners.delete(service);
        // Messages on the channel keep their order: a later follow re-subscribes after this.
        this.#primary.notify('log-unfollow', { service });
      }
    };
    try {
      const snapshot = await this.#primary.request('log-follow', { service, start }, IPC_TIMEOUT_MS);
      after = snapshot.lastId;
      return { backlog: [...snapshot.records, ...early.filter((record) => record.id > snapshot.lastId)], gap: snapshot.gap, close };
    } catch (error) {
      close();
      throw asGatewayError(error);
    }
  }

  /** Services this worker follows now. */
  following(): number {
    return this.#listeners.size;
  }
}
