// Shapes shared by the action handlers: what a handler gets (context, params)
// and returns (a one-shot result, or a stream description the socket runs).
import type { Identity } from '../../common/assertion.ts';
import type { CacheSettings } from '../settings.ts';
import type { AccessPolicy } from '../privacy/access.ts';
import type { CacheLayout } from '../store/layout.ts';
import type { CacheStore } from '../store/types.ts';
import type { StreamSource } from '../streams/sources.ts';
import type { Params } from './params.ts';

export interface CacheDeps {
  store: CacheStore;
  layout: CacheLayout;
  access: AccessPolicy;
  settings: CacheSettings;
}

export interface ActionContext {
  identity: Identity;
  deps: CacheDeps;
}

/** One source of a stream and how a payload becomes this subscriber's update. */
export interface StreamFeed {
  source: StreamSource;
  /**
   * The `result` fields (JSON text without braces, `stream_key` is added) for
   * this subscriber, or null to skip. Per-subscriber filtering (privacy) lives here.
   */
  render(payload: unknown): string | null;
}

export interface StreamPlan {
  /** Update action name, e.g. "ticker_update". */
  update: string;
  message: string;
  feeds: StreamFeed[];
}

export type ActionGroup = 'tickers' | 'orders' | 'trades' | 'accounts' | 'bots' | 'ohlcv' | 'process';

export type ActionDefinition =
  | { name: string; group: ActionGroup; kind: 'get'; run(ctx: ActionContext, params: Params): Promise<unknown> }
  | { name: string; group: ActionGroup; kind: 'stream'; run(ctx: ActionContext, params: Params): Promise<StreamPlan> };

/** Renders an object as JSON fields without the surrounding braces. */
export function fieldsOf(value: Record<string, unknown>): string {
  return JSON.stringify(value).slice(1, -1);
}
