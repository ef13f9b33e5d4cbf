// Error catalogue of the WebSocket protocol: fullon_cache_api's error codes, one
// class carrying a stable code, serialised in one place (ws/messages.ts).

export const ERROR_CODES = [
  'MALFORMED_MESSAGE',
  'INVALID_OPERATION',
  'INVALID_PARAMS',
  'CACHE_ERROR',
  'INTERNAL_ERROR',
  'PERMISSION_DENIED',
  'TICKER_NOT_FOUND',
  'ORDER_NOT_FOUND',
  'TRADES_NOT_FOUND',
  'BALANCE_NOT_FOUND',
  'POSITIONS_NOT_FOUND',
  'BOT_NOT_FOUND',
  'EXCHANGE_NOT_FOUND',
  'STREAM_NOT_FOUND',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class CacheActionError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'CacheActionError';
    this.code = code;
  }
}

import { OwnershipUnavailableError } from '../privacy/ownership.ts';

export const invalidParams = (message: string) => new CacheActionError('INVALID_PARAMS', message);

/** Anything a store call throws becomes CACHE_ERROR; our own errors pass through. */
export function toActionError(error: unknown, what: string): CacheActionError {
  if (error instanceof CacheActionError) return error;
  if (error instanceof OwnershipUnavailableError) return new CacheActionError('INTERNAL_ERROR', 'Ownership lookup failed', { cause: error });
  return new CacheActionError('CACHE_ERROR', `Failed to retrieve ${what}`, { cause: error });
}
