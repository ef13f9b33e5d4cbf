// Runs an ordered stage list over a context; stops at the first "halt". Sync
// stages cost no promise and no microtask: the list only becomes async from the
// first stage that returns a promise (auth), so a public route stays synchronous.
import type { RequestContext, Stage } from './context.ts';

export type StagesResult = 'halt' | undefined | Promise<'halt' | undefined>;

export function runStages(stages: readonly Stage[], ctx: RequestContext, from = 0): StagesResult {
  for (let i = from; i < stages.length; i++) {
    const result = stages[i]!(ctx);
    if (result === 'halt') return 'halt';
    if (result !== undefined) return result.then((settled) => (settled === 'halt' ? 'halt' : runStages(stages, ctx, i + 1)));
  }
  return undefined;
}
