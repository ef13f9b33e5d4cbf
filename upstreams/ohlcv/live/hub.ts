// Who is subscribed to what. Keys are (exchange, symbol, timeframe); sending
// is bounded per socket: a client that stops reading is closed with 1013
// rather than buffering without limit.
import type { WebSocket } from 'ws';
import { OHLCV_DEFAULTS } from '../settings.ts';
import type { Timeframe } from '../timeframes/timeframes.ts';

const pairKey = (exchange: string, symbol: string) => `${exchange}\u0000${symbol}`;

export interface LiveHubOptions {
  maxSubscriptionsPerSocket?: number;
  maxBufferedBytes?: number;
}

export class LiveHub {
  /** pair → timeframe → sockets */
  readonly #byPair = new Map<string, Map<Timeframe, Set<WebSocket>>>();
  /** socket → its subscription keys (pair + timeframe) */
  readonly #bySocket = new Map<WebSocket, Set<string>>();
  readonly #maxSubscriptions: number;
  readonly #maxBuffered: number;

  constructor(options: LiveHubOptions = {}) {
    this.#maxSubscriptions = options.maxSubscriptionsPerSocket ?? OHLCV_DEFAULTS.live.maxSubscriptionsPerSocket;
    this.#maxBuffered = options.maxBufferedBytes ?? OHLCV_DEFAULTS.live.maxBufferedBytes;
  }

  /** Returns false when the socket already holds the maximum number of subscriptions. */
  subscribe(socket: WebSocket, exchange: string, symbol: string, timeframe: Timeframe): boolean {
    const own = this.#bySocket.get(socket) ?? new Set<string>();
    const key = `${pairKey(exchange, symbol)}\u0000${timeframe}`;
    if (!own.has(key) && own.size >= this.#maxSubscriptions) return false;
    own.add(key);
    this.#bySocket.set(socket, own);
    const frames = this.#byPair.get(pairKey(exchange, symbol)) ?? new Map<Timeframe, Set<WebSocket>>();
    this.#byPair.set(pairKey(exchange, symbol), frames);
    const sockets = frames.get(timeframe) ?? new Set<WebSocket>();
    frames.set(timeframe, sockets.add(socket));
    return true;
  }

  /** Returns false when the socket was not subscribed. */
  unsubscribe(socket: WebSocket, exchange: string, symbol: string, timeframe: Timeframe): boolean {
    const own = this.#bySocket.get(socket);
    const key = `${pairKey(exchange, symbol)}\u0000${timeframe}`;
    if (!own?.delete(key)) return false;
    const frames = this.#byPair.get(pairKey(exchange, symbol));
    const sockets = frames?.get(timeframe);
    sockets?.delete(socket);
    if (sockets && sockets.size === 0) frames!.delete(timeframe);
    if (frames && frames.size === 0) this.#byPair.delete(pairKey(exchange, symbol));
    return true;
  }

  removeSocket(socket: WebSocket): void {
    for (const key of this.#bySocket.get(socket) ?? []) {
      const [exchange, symbol, timeframe] = key.split('\u0000') as [string, string, Timeframe];
      this.unsubscribe(socket, exchange, symbol, timeframe);
    }
    this.#bySocket.delete(socket);
  }

  /** Timeframes with at least one subscriber for this pair. */
  timeframesFor(exchange: string, symbol: string): Timeframe[] {
    return [...(this.#byPair.get(pairKey(exchange, symbol))?.keys() ?? [])];
  }

  subscribers(exchange: string, symbol: string, timeframe: Timeframe): WebSocket[] {
    return [...(this.#byPair.get(pairKey(exchange, symbol))?.get(timeframe) ?? [])];
  }

  /** Sockets holding at least one subscription (metrics). */
  socketCount(): number {
    return this.#bySocket.size;
  }

  subscriptionCount(): number {
    let count = 0;
    for (const own of this.#bySocket.values()) count += own.size;
    return count;
  }

  /** Sends JSON unless the socket's unsent backlog is past the limit, which closes it (1013). */
  send(socket: WebSocket, message: unknown): void {
    this.#sendText(socket, JSON.stringify(message));
  }

  /** Sends one message to every subscriber of a key, serialised once. */
  broadcast(exchange: string, symbol: string, timeframe: Timeframe, message: unknown): void {
    const sockets = this.subscribers(exchange, symbol, timeframe);
    if (sockets.length === 0) return;
    const text = JSON.stringify(message);
    for (const socket of sockets) this.#sendText(socket, text);
  }

  #sendText(socket: WebSocket, text: string): void {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.#maxBuffered) {
      this.removeSocket(socket);
      socket.close(1013, 'client too slow: send backlog over limit');
      return;
    }
    socket.send(text);
  }
}
