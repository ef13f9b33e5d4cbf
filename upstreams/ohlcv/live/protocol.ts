// The /ws/ohlcv wire protocol of fullon_ohlcv_api: client subscribe/unsubscribe
// requests, server confirmations, updates and errors.
import { JSON_TOO_DEEP_MSG, jsonTooDeep } from '../../common/json-depth.ts';
import { isValidPair } from '../http/params.ts';
import { TIMEFRAMES, isTimeframe, type Timeframe } from '../timeframes/timeframes.ts';

export interface SubscriptionRequest {
  action: 'subscribe' | 'unsubscribe';
  exchange: string;
  symbol: string;
  timeframe: Timeframe;
  type: string;
}

export class ProtocolError extends Error {}

export function parseClientMessage(text: string): SubscriptionRequest {
  if (jsonTooDeep(text)) throw new ProtocolError(JSON_TOO_DEEP_MSG);
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new ProtocolError('Invalid JSON message');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) throw new ProtocolError('Message must be a JSON object');
  const { action, exchange, symbol, timeframe, type } = message as Record<string, unknown>;
  if (action !== 'subscribe' && action !== 'unsubscribe') {
    throw new ProtocolError(`Unknown action '${typeof action === 'string' ? action.slice(0, 32) : String(action)}'. Supported: subscribe, unsubscribe`);
  }
  const missing = (['exchange', 'symbol', 'timeframe'] as const).filter((field) => typeof (message as Record<string, unknown>)[field] !== 'string');
  if (missing.length) throw new ProtocolError(`Missing or non-string field(s): ${missing.join(', ')}`);
  if (!isValidPair(exchange, symbol)) throw new ProtocolError('Invalid exchange or symbol');
  if (!isTimeframe(timeframe as string)) throw new ProtocolError(`Invalid timeframe '${String(timeframe).slice(0, 16)}'. Supported: ${TIMEFRAMES.join(', ')}`);
  if (type !== undefined && type !== 'ohlcv_live') throw new ProtocolError(`Unsupported subscription type '${String(type).slice(0, 32)}'. Supported: ohlcv_live`);
  return { action, exchange: exchange as string, symbol: symbol as string, timeframe: timeframe as Timeframe, type: 'ohlcv_live' };
}

export function confirmation(request: SubscriptionRequest) {
  const subscribed = request.action === 'subscribe';
  return {
    type: subscribed ? 'subscription_confirmed' : 'unsubscription_confirmed',
    exchange: request.exchange,
    symbol: request.symbol,
    timeframe: request.timeframe,
    subscription_type: request.type,
    timestamp: new Date().toISOString(),
    data: { status: subscribed ? 'subscribed' : 'unsubscribed' },
  };
}

export interface LiveCandle {
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  is_final: boolean;
}

export function update(exchange: string, symbol: string, timeframe: Timeframe, data: LiveCandle) {
  return { type: 'ohlcv_update', exchange, symbol, timeframe, timestamp: new Date().toISOString(), data };
}

export function errorMessage(message: string) {
  return { type: 'error', message, timestamp: new Date().toISOString() };
}
