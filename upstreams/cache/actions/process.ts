// Process health actions (admins only): hashes active:{type} (process_id →
// registration), data:{process_id} JSON, hash components, and fullon's channel
// process:broadcast:{type} for live updates.
import { PROCESS_TYPES } from '../store/layout.ts';
import { channelSource } from '../streams/sources.ts';
import { CacheActionError, invalidParams, toActionError } from './errors.ts';
import { optionalText, parseStored, type Params } from './params.ts';
import { fieldsOf, type ActionContext, type ActionDefinition } from './types.ts';

const MAX_PROCESSES = 1000;

function requireAdminOf(ctx: ActionContext) {
  if (!ctx.deps.access.isAdmin(ctx.identity)) throw new CacheActionError('PERMISSION_DENIED', 'Admin access required');
}

function typesOf(params: Params): readonly string[] {
  const type = optionalText(params, 'process_type');
  if (type === undefined) return PROCESS_TYPES;
  if (!/^[a-z_]+$/.test(type)) throw invalidParams('process_type is not valid');
  return [type];
}

async function readActive(ctx: ActionContext, types: readonly string[]) {
  const { store, layout } = ctx.deps;
  const processes: Record<string, unknown>[] = [];
  const byType: Record<string, number> = {};
  for (const type of types) {
    const active = await store.hgetall(layout.activeProcesses(type));
    const ids = Object.keys(active).slice(0, MAX_PROCESSES);
    byType[type] = Object.keys(active).length;
    for (const processId of ids) {
      const data = await store.get(layout.processData(processId));
      processes.push({ process_id: processId, process_type: type, registration: parseStored(active[processId]!), data: data === null ? null : parseStored(data) });
    }
  }
  return { processes, byType };
}

async function getActiveProcesses(ctx: ActionContext, params: Params) {
  requireAdminOf(ctx);
  const { processes } = await readActive(ctx, typesOf(params)).catch((error) => {
    throw toActionError(error, 'active processes');
  });
  return { processes, count: processes.length, timestamp: Date.now() / 1000 };
}

async function getSystemHealth(ctx: ActionContext) {
  requireAdminOf(ctx);
  return (async () => {
    const { byType } = await readActive(ctx, PROCESS_TYPES);
    const components = await ctx.deps.store.hgetall(ctx.deps.layout.components());
    const total = Object.values(byType).reduce((sum, n) => sum + n, 0);
    return {
      status: 'healthy',
      total_processes: total,
      active_by_type: byType,
      components: Object.fromEntries(Object.entries(components).map(([name, value]) => [name, parseStored(value)])),
      timestamp: Date.now() / 1000,
    };
  })().catch((error) => {
    throw toActionError(error, 'system health');
  });
}

async function streamProcessHealth(ctx: ActionContext, params: Params) {
  requireAdminOf(ctx);
  const types = typesOf(params);
  const feeds = types.map((type) => ({
    source: channelSource(ctx.deps.store, ctx.deps.layout.processChannel(type), (message) => fieldsOf({ process_type: type, data: parseStored(message), timestamp: Date.now() / 1000 })),
    render: (payload: unknown) => payload as string,
  }));
  return { update: 'process_update', message: `Streaming started for ${types.length} process types`, feeds };
}

export const PROCESS_ACTIONS: ActionDefinition[] = [
  { name: 'get_system_health', group: 'process', kind: 'get', run: getSystemHealth },
  { name: 'get_active_processes', group: 'process', kind: 'get', run: getActiveProcesses },
  { name: 'stream_process_health', group: 'process', kind: 'stream', run: streamProcessHealth },
];
