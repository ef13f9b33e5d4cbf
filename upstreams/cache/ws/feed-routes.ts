// The older per-stream WebSocket paths fullon clients still open, with ?token=
// checked by the gateway (example_cache_websocket.py):
//   /ws/tickers/{exchange}/{symbol}   /ws/trades/{exchange}/{symbol}
//   /ws/orders/{exchange}             /ws/balances/{exchange_id}
// Each is a regular socket of its group (requests work as on
// /ws/{group}/{connection_id}) that also pushes its feed (feeds.ts) from the
// start. /ws/orders/{x} is both fullon_cache_api's /ws/orders/{connection_id}
// and the order feed of exchange x: the feed stops at the client's first
// request, since a client that sends requests speaks the request protocol.
// Symbols arrive raw (BTC/USDC) or encoded (BTC%2FUSDC, decoded once by the router).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { unprocessable } from '../../common/errors.ts';
import { CacheActionError, toActionError } from '../actions/errors.ts';
import { EXCHANGE_NAME, type ExchangeRef } from '../actions/exchange-ref.ts';
import type { ActionGroup } from '../actions/types.ts';
import type { ConnectionState } from './dispatch.ts';
import { balanceFeed, orderFeed, tickerFeed, tradeFeed, type FeedPlan } from './feeds.ts';
import { errorOf } from './messages.ts';

/** The feed's entry among the socket's streams: released on close like any stream. */
export const FEED_KEY = 'feed';

export interface FeedOpener {
  (state: ConnectionState, request: FastifyRequest): Promise<FeedPlan | null>;
  /** Stop the feed at the first message the client sends. */
  untilFirstMessage?: boolean;
}

type Open = (group: ActionGroup | null, feedOf?: FeedOpener) => (socket: WebSocket, request: FastifyRequest) => void;
type Params = Record<string, string>;

const SYMBOL = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$/;

function pairOf(params: Params): { exchange: string; symbol: string } {
  const exchange = params.exchange ?? '';
  const symbol = params['*'] ?? '';
  if (!EXCHANGE_NAME.test(exchange)) throw unprocessable([{ loc: ['path', 'exchange'], msg: 'exchange must be 1-64 letters, digits, _ . -', type: 'value_error' }]);
  if (!SYMBOL.test(symbol) || symbol.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw unprocessable([{ loc: ['path', 'symbol'], msg: 'symbol must be 1-64 letters, digits, _ . : / - (no empty, . or .. parts)', type: 'value_error' }]);
  }
  return { exchange, symbol };
}

/** Refuses a bad path before the upgrade (HTTP 422/404, no socket). */
const checked = (check: (params: Params) => unknown) => async (request: FastifyRequest) => {
  check(request.params as Params);
};

export function registerFeedRoutes(app: FastifyInstance, open: Open): void {
  const tickers: FeedOpener = async (state, request) => {
    const { exchange, symbol } = pairOf(request.params as Params);
    return tickerFeed(state.context, exchange, symbol);
  };
  app.get('/ws/tickers/:exchange/*', { websocket: true, preValidation: checked(pairOf) }, open('tickers', tickers));

  const trades: FeedOpener = async (state, request) => {
    const { exchange, symbol } = pairOf(request.params as Params);
    return tradeFeed(state.context, exchange, symbol);
  };
  app.get('/ws/trades/:exchange/*', { websocket: true, preValidation: checked(pairOf) }, open('trades', trades));

  const orders: FeedOpener = async (state, request) => {
    const id = (request.params as Params).connectionId ?? '';
    const ref: ExchangeRef | null = /^\d{1,15}$/.test(id) ? { kind: 'id', exId: Number(id), key: id } : EXCHANGE_NAME.test(id) ? { kind: 'name', key: id } : null;
    if (!ref) return null;
    // Quiet on failure: a request-protocol client on this path did not ask for a feed.
    return orderFeed(state.context, ref).catch((error) => {
      state.logger.warn({ err: error }, 'order feed could not start');
      return null;
    });
  };
  orders.untilFirstMessage = true;
  app.get('/ws/orders/:connectionId', { websocket: true }, open('orders', orders));

  const balances: FeedOpener = async (state, request) => balanceFeed(state.context, Number((request.params as Params).exchangeId));
  app.get('/ws/balances/:exchangeId', {
    websocket: true,
    preValidation: checked((params) => {
      if (!/^\d{1,15}$/.test(params.exchangeId ?? '')) throw unprocessable([{ loc: ['path', 'exchange_id'], msg: 'exchange_id must be a non-negative integer', type: 'int_parsing' }]);
    }),
  }, open('accounts', balances));
}

/**
 * Starts the socket's feed: attaches its source to the hub, sends the snapshot,
 * then each change. A feed the caller may not read is answered with its error
 * and the socket is closed with 1008 (policy violation).
 */
export async function startFeed(state: ConnectionState, request: FastifyRequest, feedOf: FeedOpener): Promise<void> {
  const { session, hub, logger } = state;
  let plan: FeedPlan | null;
  try {
    plan = await feedOf(state, request);
  } catch (error) {
    const mapped = error instanceof CacheActionError ? error : toActionError(error, 'feed');
    if (mapped.code === 'CACHE_ERROR' || mapped.code === 'INTERNAL_ERROR') logger.warn({ err: mapped.cause ?? mapped }, 'feed could not start');
    session.reply(errorOf(null, mapped.code, mapped.message));
    if (mapped.code !== 'CACHE_ERROR' && mapped.code !== 'INTERNAL_ERROR') session.close(1008, mapped.message.slice(0, 120));
    return;
  }
  if (!plan || session.closed) return;
  const feed = plan;
  let released = false;
  let detach: (() => void) | undefined;
  session.addStream(FEED_KEY, 0, () => {
    released = true;
    detach?.();
  });
  let errorSent = false;
  try {
    detach = await hub.attach(feed.source, {
      onData(payload) {
        errorSent = false;
        for (const [key, json] of feed.frames(payload)) session.push(key, json);
      },
      onError() {
        if (errorSent) return;
        errorSent = true;
        session.reply(errorOf(null, 'CACHE_ERROR', 'Cache unavailable; the feed resumes when it reconnects'));
      },
    });
  } catch (error) {
    logger.warn({ err: error }, 'feed could not start');
    session.removeStream(FEED_KEY);
    return session.reply(errorOf(null, 'CACHE_ERROR', 'Failed to start the feed'));
  }
  if (released) return detach();
  for (const [key, json] of (await feed.snapshot?.().catch(() => [])) ?? []) session.push(key, json);
}
