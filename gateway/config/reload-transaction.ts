// A reload as one transaction (issue 14 item 0). Every participant first prepares
// its part of the new config (build the route table, pick ports, plan registry
// changes: everything that can fail) without changing what runs; only when all
// have prepared are the commits run, in the participants' fixed order. A failure
// while preparing therefore leaves the running config wholly in place. Commits are
// written not to fail; should one throw anyway, the error says which parts are
// already live instead of claiming the old config stayed.
import type { GatewayConfig } from './types.ts';

/** Makes the prepared change live. Must not fail for a config its prepare accepted. */
export type Commit = () => void | Promise<void>;

export interface ReloadParticipant {
  name: string;
  /** Everything that can fail, with no visible effect; returns the commit. */
  prepare: (config: GatewayConfig) => Commit | Promise<Commit>;
}

/** A commit threw after others had run: the new config is live in part. */
export class PartialReloadError extends Error {
  readonly failed: string;
  readonly committed: readonly string[];

  constructor(failed: string, committed: readonly string[], cause: unknown) {
    super(`${failed} failed while committing (${(cause as Error)?.message ?? String(cause)}); already live: ${committed.length > 0 ? committed.join(', ') : 'nothing'}`, { cause });
    this.failed = failed;
    this.committed = committed;
  }
}

export function reloadTransaction(participants: readonly ReloadParticipant[]): (config: GatewayConfig) => Promise<void> {
  return async (config) => {
    const commits: Array<{ name: string; commit: Commit }> = [];
    for (const participant of participants) commits.push({ name: participant.name, commit: await participant.prepare(config) });
    const committed: string[] = [];
    for (const { name, commit } of commits) {
      try {
        await commit();
      } catch (error) {
        throw new PartialReloadError(name, committed, error);
      }
      committed.push(name);
    }
  };
}
