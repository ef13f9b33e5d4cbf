// Runs an ordered stage list over a context; stops at the first "halt". Sync
// stages cost no await, so a list of cheap checks stays cheap on the hot path.
import type { RequestContext, Stage } from './context.ts';

export async function runStages(stages: readonly Stage[], ctx: RequestContext): Promise<'halt' | undefined> {
  for (const stage of stages) {
    const result = stage(ctx);
    if (result === 'halt') return 'halt';
    if (result !== undefined && (await result) === 'halt') return 'halt';
  }
  return undefined;
}
