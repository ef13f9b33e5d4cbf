// Live state of every upstream, shared by the proxy (reads it per request) and
// the supervisor and health monitor (write it). It is the single answer to
// "where is orm and may traffic go there now?".
//
// One writer per fact (issue 14 item 0), so that the writers can later live in
// another process than the readers:
// - the target (where): setTarget, by whoever owns the upstream (the supervisor for
//   a process it runs, proxy/static-targets.ts for a fixed url);
// - the process (does it run?): setProcessState, by the supervisor alone;
// - the health verdict (do its checks pass?): setHealthVerdict, by the health
//   monitor alone (active probes and passive proxy errors).
// Availability is derived from them, never written: down while the process is
// down (its reason first), else down while the verdict is failing, else up when
// the target is known. A new target or a restarted process starts without a
// verdict: the monitor clears it (supervisor events), the registry on a new target.
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

/** The supervisor's fact; null: not supervised (a fixed url), nothing to wait for. */
export type ProcessFact = { up: true } | { up: false; reason: string; retryAfterS: number } | null;
/** The health monitor's fact; null: no failing verdict (passing, or not checked yet). */
export type HealthVerdict = { reason: string; retryAfterS: number } | null;

interface Facts {
  process: ProcessFact;
  health: HealthVerdict;
}

/** One upstream's facts as they cross to a worker process (gateway/cluster): plain data. */
export interface UpstreamFacts {
  name: string;
  target: string | null;
  process: ProcessFact;
  health: HealthVerdict;
}

export class UpstreamRegistry extends EventEmitter<RegistryEvents> {
  #states = new Map<string, UpstreamState>();
  #facts = new Map<string, Facts>();

  /** Creates or keeps the entry for name; `availability: 'down'` starts it as a process not started yet. */
  ensure(name: string, target: URL | null, availability: Availability = target ? 'up' : 'down'): UpstreamState {
    let state = this.#states.get(name);
    if (!state) {
      state = { name, target, availability, reason: availability === 'down' ? 'not started' : null, retryAfterS: 1, connectionErrors: 0 };
      this.#states.set(name, state);
      this.#facts.set(name, { process: availability === 'down' && target ? { up: false, reason: 'not started', retryAfterS: 1 } : null, health: null });
    }
    return state;
  }

  get(name: string): UpstreamState | undefined {
    return this.#states.get(name);
  }

  all(): UpstreamState[] {
    return [...this.#states.values()];
  }

  /** Where traffic goes. A different target has no health verdict yet. */
  setTarget(name: string, target: URL | null): void {
    const state = this.ensure(name, target);
    const facts = this.#facts.get(name)!;
    if (state.target?.href !== target?.href) {
      facts.health = null;
      state.connectionErrors = 0;
    }
    state.target = target;
    this.#derive(state, facts);
  }

  /** The supervisor's fact: the upstream's process serves (up), or not and why; null when it no longer runs one. */
  setProcessState(name: string, fact: ProcessFact): void {
    const state = this.ensure(name, null);
    this.#facts.get(name)!.process = fact;
    this.#derive(state, this.#facts.get(name)!);
  }

  /** The health monitor's fact: failing checks keep traffic away; null clears it. Unknown names are ignored (services have no entry). */
  setHealthVerdict(name: string, verdict: HealthVerdict): void {
    const state = this.#states.get(name);
    if (!state) return;
    this.#facts.get(name)!.health = verdict;
    this.#derive(state, this.#facts.get(name)!);
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
    this.#facts.delete(name);
  }

  /** Every upstream's facts: what the primary pushes to its workers after each change. */
  snapshot(): UpstreamFacts[] {
    return this.all().map((state) => {
      const facts = this.#facts.get(state.name)!;
      return { name: state.name, target: state.target?.href ?? null, process: facts.process, health: facts.health };
    });
  }

  /**
   * A worker's copy takes the primary's facts as they are (the primary is their one
   * writer): entries not in the snapshot are removed. Local passive counters stay.
   */
  restore(snapshot: readonly UpstreamFacts[]): void {
    const names = new Set(snapshot.map((entry) => entry.name));
    for (const name of [...this.#states.keys()]) if (!names.has(name)) this.remove(name);
    for (const entry of snapshot) {
      const target = entry.target === null ? null : new URL(entry.target);
      const state = this.ensure(entry.name, target);
      const facts = this.#facts.get(entry.name)!;
      if (state.target?.href !== target?.href) state.connectionErrors = 0;
      state.target = target;
      facts.process = entry.process;
      facts.health = entry.health;
      this.#derive(state, facts);
    }
  }

  #derive(state: UpstreamState, facts: Facts): void {
    const wasUp = state.availability === 'up';
    if (facts.process && !facts.process.up) Object.assign(state, { availability: 'down', reason: facts.process.reason, retryAfterS: facts.process.retryAfterS });
    else if (facts.health) Object.assign(state, { availability: 'down', reason: facts.health.reason, retryAfterS: facts.health.retryAfterS });
    else if (!state.target && !facts.process) Object.assign(state, { availability: 'down', reason: 'not started' });
    else Object.assign(state, { availability: 'up', reason: null });
    if (state.availability === 'up' && !wasUp) state.connectionErrors = 0;
    this.emit('change', state);
  }
}
