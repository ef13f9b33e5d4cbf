// Every WebSocket action by name, and which of them each /ws/{group}/… path offers
// (fullon_cache_api had one handler per path; plain /ws offers them all).
import { ACCOUNT_ACTIONS } from './accounts.ts';
import { BOT_ACTIONS } from './bots.ts';
import { OHLCV_ACTIONS } from './ohlcv.ts';
import { ORDER_ACTIONS } from './orders.ts';
import { PROCESS_ACTIONS } from './process.ts';
import { TICKER_ACTIONS } from './tickers.ts';
import { TRADE_ACTIONS } from './trades.ts';
import type { ActionDefinition, ActionGroup } from './types.ts';

export const ACTION_GROUPS: readonly ActionGroup[] = ['tickers', 'orders', 'trades', 'accounts', 'bots', 'ohlcv', 'process'];

const ALL: ActionDefinition[] = [...TICKER_ACTIONS, ...ORDER_ACTIONS, ...TRADE_ACTIONS, ...ACCOUNT_ACTIONS, ...BOT_ACTIONS, ...OHLCV_ACTIONS, ...PROCESS_ACTIONS];

const BY_NAME = new Map(ALL.map((action) => [action.name, action]));

/** The action, if it exists and the path's group offers it (group null = /ws). */
export function findAction(name: unknown, group: ActionGroup | null): ActionDefinition | undefined {
  if (typeof name !== 'string') return undefined;
  const action = BY_NAME.get(name);
  return action && (group === null || action.group === group) ? action : undefined;
}

export function listActions(): string[] {
  return ALL.map((action) => action.name);
}
