// Kraken's public WebSocket API v2 (docs.kraken.com, "Spot WebSocket v2"), ticker
// channel only: {"method": "subscribe", "params": {"channel": "ticker", "symbol":
// [...]}, "req_id": n} is acknowledged per symbol, answered with a snapshot, then
// an update whenever the fake market's price of a subscribed pair changes (checked
// every price step); a heartbeat every second.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FakeKraken } from './kraken-api.ts';
import { priceAt, type FakePair } from './market-model.ts';

export class FakeKrakenWs {
  readonly #kraken: FakeKraken;
  readonly #server = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  readonly #subscriptions = new Map<WebSocket, Set<FakePair>>();
  readonly #timer: NodeJS.Timeout;
  readonly #heartbeat: NodeJS.Timeout;
  #lastStep = 0;
  /** Connections accepted so far (tests see a client reconnect by it). */
  accepted = 0;

  constructor(kraken: FakeKraken) {
    this.#kraken = kraken;
    this.#server.on('connection', (socket) => this.#accept(socket));
    this.#timer = setInterval(() => this.#tick(), Math.max(10, Math.floor(kraken.tickMs / 5)));
    this.#heartbeat = setInterval(() => this.#broadcastAll({ channel: 'heartbeat' }), 1_000);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (new URL(request.url ?? '/', 'http://fake').pathname !== '/v2') {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#server.emit('connection', ws, request));
  }

  /** Drops every connection abruptly (a test fault); returns how many there were. */
  dropAll(): number {
    const count = this.#server.clients.size;
    for (const socket of this.#server.clients) socket.terminate();
    return count;
  }

  close(): void {
    clearInterval(this.#timer);
    clearInterval(this.#heartbeat);
    for (const socket of this.#server.clients) socket.terminate();
    this.#server.close();
  }

  #accept(socket: WebSocket): void {
    this.accepted++;
    this.#subscriptions.set(socket, new Set());
    socket.send(JSON.stringify({ channel: 'status', type: 'update', data: [{ api_version: 'v2', system: 'online', version: 'fake' }] }));
    socket.on('message', (raw) => this.#onMessage(socket, raw.toString()));
    socket.on('close', () => this.#subscriptions.delete(socket));
  }

  #onMessage(socket: WebSocket, raw: string): void {
    let message: { method?: string; params?: { channel?: string; symbol?: unknown }; req_id?: number };
    try {
      message = JSON.parse(raw);
    } catch {
      return void socket.send(JSON.stringify({ error: 'EGeneral:Invalid arguments', success: false, time_in: new Date().toISOString() }));
    }
    if (message.method === 'ping') return void socket.send(JSON.stringify({ method: 'pong', req_id: message.req_id, time_in: new Date().toISOString(), time_out: new Date().toISOString() }));
    if (message.method !== 'subscribe' || message.params?.channel !== 'ticker' || !Array.isArray(message.params.symbol)) {
      return void socket.send(JSON.stringify({ method: message.method ?? 'unknown', success: false, error: 'EGeneral:Invalid arguments', req_id: message.req_id }));
    }
    const subscribed = this.#subscriptions.get(socket)!;
    for (const symbol of message.params.symbol) {
      const pair = this.#kraken.pairs.find((p) => p.symbol === symbol);
      if (!pair) {
        socket.send(JSON.stringify({ method: 'subscribe', success: false, error: `Currency pair not supported ${String(symbol)}`, symbol, req_id: message.req_id }));
        continue;
      }
      subscribed.add(pair);
      socket.send(JSON.stringify({ method: 'subscribe', success: true, result: { channel: 'ticker', symbol, snapshot: true }, req_id: message.req_id }));
      socket.send(JSON.stringify({ channel: 'ticker', type: 'snapshot', data: [this.#ticker(pair, this.#kraken.tickTime())] }));
    }
  }

  #tick(): void {
    const step = this.#kraken.tickTime();
    if (step === this.#lastStep) return;
    const previous = step - this.#kraken.tickMs;
    this.#lastStep = step;
    for (const [socket, pairs] of this.#subscriptions) {
      for (const pair of pairs) {
        if (priceAt(pair, step) === priceAt(pair, previous)) continue;
        socket.send(JSON.stringify({ channel: 'ticker', type: 'update', data: [this.#ticker(pair, step)] }));
      }
    }
  }

  #ticker(pair: FakePair, step: number): Record<string, unknown> {
    const last = priceAt(pair, step);
    const spread = pair.basePrice > 100 ? 0.1 : 0.0001;
    return { symbol: pair.symbol, bid: last - spread, bid_qty: 1, ask: last + spread, ask_qty: 1, last, volume: 1450.25, vwap: last, low: last * 0.99, high: last * 1.01, change: 0, change_pct: 0 };
  }

  #broadcastAll(message: unknown): void {
    const text = JSON.stringify(message);
    for (const socket of this.#subscriptions.keys()) socket.send(text);
  }
}
