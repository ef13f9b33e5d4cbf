// Live state of every upstream, shared by the proxy (reads it per request) and
// the supervisor and health monitor (write it). It is the single answer to
// "where is orm and may traffic go there now?".
import { EventEmitter } from 'node:events';

export type Availability =
  /** Serving: traffic goes through. */
  | 'up'
  /** Known down (not running, failed checks, restarting): 503 at once with Retry-After. */
  | 'down';

export interface UpstreamState {
  name: string;
  /** Base URL traffic goes to, or null when not known yet. */
  target: URL | null;
  availability: Availability;
  /** Why it is down, for 503 bodies and /health (no pids, paths or secrets). */
  reason: string | null;
  /** Seconds a client should wait before retrying while down. */
  retryAfterS: number;
  /** Set by passive checks: consecutive proxy connection errors since the last success. */
  connectionErrors: number;
}

export interface RegistryEvents {
  change: [state: UpstreamState];
  connectionError: [name: string, error: Error];
}

export class UpstreamRegistry extends EventEmitter<RegistryEvents> {
  #states = new Map<string, UpstreamState>();

  /** Creates or keeps the entry for name; unknown upstreams start down until something marks them up. */
  ensure(name: string, target: URL | null, availability: Availability = target ? 'up' : 'down'): UpstreamState {
    let state = this.#states.get(name);
    if (!state) {
      state = { name, target, availability, reason: availability === 'down' ? 'not started' : null, retryAfterS: 1, connectionErrors: 0 };
      this.#states.set(name, state);
    }
    return state;
  }

  get(name: string): UpstreamState | undefined {
    return this.#states.get(name);
  }

  all(): UpstreamState[] {
    return [...this.#states.values()];
  }

  setTarget(name: string, target: URL | null): void {
    const state = this.ensure(name, target);
    state.target = target;
    this.emit('change', state);
  }

  markUp(name: string): void {
    const state = this.ensure(name, null);
    state.availability = 'up';
    state.reason = null;
    state.connectionErrors = 0;
    this.emit('change', state);
  }

  markDown(name: string, reason: string, retryAfterS = 1): void {
    const state = this.ensure(name, null);
    state.availability = 'down';
    state.reason = reason;
    state.retryAfterS = retryAfterS;
    this.emit('change', state);
  }

  /** Passive health: the proxy reports refused/reset connections here. */
  reportConnectionError(name: string, error: Error): void {
    const state = this.#states.get(name);
    if (state) state.connectionErrors++;
    this.emit('connectionError', name, error);
  }

  reportSuccess(name: string): void {
    const state = this.#states.get(name);
    if (state && state.connectionErrors !== 0) state.connectionErrors = 0;
  }

  remove(name: string): void {
    this.#states.delete(name);
  }
}
