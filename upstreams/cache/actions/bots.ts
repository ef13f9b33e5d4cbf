// Bot actions (private: the bot's owner or an admin): hash bot_status
// (bot_id → {feed: {status, ...}}) and hash block_exchange ("{exchange}:{symbol}" → bot_id).
import { pollSource } from '../streams/sources.ts';
import { CacheActionError, toActionError } from './errors.ts';
import { optionalId, parseStored, requireId, requireText, type Params } from './params.ts';
import { requireExchange } from './exchange-ref.ts';
import { fieldsOf, type ActionContext, type ActionDefinition, type CacheDeps } from './types.ts';

/** The first feed's status, as fullon_cache_api derived it. */
export function statusOf(data: unknown): string {
  if (data && typeof data === 'object') {
    for (const feed of Object.values(data as Record<string, unknown>)) {
      if (feed && typeof feed === 'object' && 'status' in feed) return String((feed as { status: unknown }).status);
    }
  }
  return 'unknown';
}

export async function readBotStatus(deps: CacheDeps, botId: number) {
  const raw = await deps.store.hget(deps.layout.botStatus(), String(botId));
  if (raw === null) return null;
  const data = parseStored(raw);
  return { bot_id: String(botId), status: statusOf(data), data, timestamp: Date.now() / 1000 };
}

async function getBotStatus(ctx: ActionContext, params: Params) {
  const botId = requireId(params, ['bot_id'], 'bot_id parameter required');
  const notFound = new CacheActionError('BOT_NOT_FOUND', `Bot ${botId} not found`);
  const status = await (async () => {
    if (!(await ctx.deps.access.ownsBot(ctx.identity, botId))) return null;
    return readBotStatus(ctx.deps, botId);
  })().catch((error) => {
    throw toActionError(error, 'bot status');
  });
  if (!status) throw notFound;
  return status;
}

/**
 * block_exchange field "{exchange}:{symbol}" → bot_id, the exchange as fullon's
 * bots wrote it (a name such as "binance", or an ex_id). Under an ex_id the
 * account's owner (or an admin) asks; under a name anyone may ask whether the
 * symbol is blocked, and the blocking bot is named only to its owner or an admin.
 */
async function isBlocked(ctx: ActionContext, params: Params) {
  const message = 'exchange and symbol parameters required';
  const ref = requireExchange(params, ['exchange', 'ex_id'], message);
  const symbol = requireText(params, 'symbol', message);
  const { access } = ctx.deps;
  const blockedBy = await (async () => {
    if (ref.kind === 'id' && !(await access.ownsExchange(ctx.identity, ref.exId))) throw new CacheActionError('EXCHANGE_NOT_FOUND', `Exchange ${ref.key} not found`);
    const bot = await ctx.deps.store.hget(ctx.deps.layout.blockExchange(), `${ref.key}:${symbol}`);
    if (!bot || ref.kind === 'id') return { bot, shown: bot };
    const botId = Number(bot);
    const mayName = access.isAdmin(ctx.identity) || (Number.isSafeInteger(botId) && (await access.ownsBot(ctx.identity, botId)));
    return { bot, shown: mayName ? bot : null };
  })().catch((error) => {
    throw toActionError(error, 'blocking status');
  });
  return { exchange: ref.key, symbol, is_blocked: Boolean(blockedBy.bot), blocked_by: blockedBy.shown || null, timestamp: Date.now() / 1000 };
}

/** Keeps only the bots this identity may see (null = all). */
function filterBots(all: Record<string, unknown>, visible: ReadonlySet<number> | null, only?: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [botId, value] of Object.entries(all)) {
    if (only !== undefined && Number(botId) !== only) continue;
    if (visible && !visible.has(Number(botId))) continue;
    out[botId] = value;
  }
  return out;
}

async function getBots(ctx: ActionContext) {
  const bots = await (async () => {
    const visible = await ctx.deps.access.visibleBots(ctx.identity);
    const raw = await ctx.deps.store.hgetall(ctx.deps.layout.botStatus());
    return filterBots(Object.fromEntries(Object.entries(raw).map(([id, value]) => [id, parseStored(value)])), visible);
  })().catch((error) => {
    throw toActionError(error, 'bots');
  });
  return { bots };
}

async function streamBotStatus(ctx: ActionContext, params: Params) {
  const only = optionalId(params, ['bot_id']);
  const visible = await ctx.deps.access.visibleBots(ctx.identity).catch((error) => {
    throw toActionError(error, 'bots');
  });
  const { store, layout, settings } = ctx.deps;
  // One shared read of the whole hash; each subscriber filters to its own bots
  // and is pushed only when ITS view changed.
  const source = pollSource(`hgetall:${layout.botStatus()}`, settings.pollIntervalMs, async () => {
    const raw = await store.hgetall(layout.botStatus());
    const entries = Object.entries(raw).sort(([a], [b]) => a.localeCompare(b));
    return { fingerprint: JSON.stringify(entries), payload: Object.fromEntries(entries.map(([id, value]) => [id, parseStored(value)])) };
  });
  let last: string | undefined;
  return {
    update: 'bot_update',
    message: only !== undefined ? `Streaming started for bot ${only}` : 'Streaming started',
    feeds: [
      {
        source,
        render: (all: unknown) => {
          const bots = JSON.stringify(filterBots(all as Record<string, unknown>, visible, only));
          if (bots === last) return null;
          last = bots;
          return `"bots":${bots},${fieldsOf({ timestamp: Date.now() / 1000 })}`;
        },
      },
    ],
  };
}

export const BOT_ACTIONS: ActionDefinition[] = [
  { name: 'get_bot_status', group: 'bots', kind: 'get', run: getBotStatus },
  { name: 'is_blocked', group: 'bots', kind: 'get', run: isBlocked },
  { name: 'get_bots', group: 'bots', kind: 'get', run: getBots },
  { name: 'stream_bot_status', group: 'bots', kind: 'stream', run: streamBotStatus },
];
