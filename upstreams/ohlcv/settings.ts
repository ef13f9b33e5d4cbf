// The ohlcv upstream's settings: one defaults object, overridden from the
// environment once at start-up (PORT/HOST are read by listenFromEnv).
export const OHLCV_DEFAULTS = {
  /** Rows accepted by one POST /candles or POST /trades. */
  maxBatchRows: 10_000,
  /** Request body cap; 10 000 candles as JSON are about 1.3 MB. */
  bodyLimitBytes: 16 * 1024 * 1024,
  candles: { defaultLimit: 100, maxLimit: 5000, rangeMaxLimit: 10_000 },
  trades: { defaultLimit: 100, maxLimit: 5000, rangeMaxLimit: 10_000 },
  /** fullon_ohlcv_api: limit 100 by default, at most 10 000, newest of the range. */
  timeseries: { defaultLimit: 100, maxLimit: 10_000 },
  /**
   * A range read without `limit` returns the whole range (fullon_ohlcv_api had no
   * limit there); past this many rows it answers 422 asking for a narrower range
   * or a limit, never a silently cut list. 30 days of 1m candles are 43 200.
   */
  rangeMaxRows: 200_000,
  live: {
    /** Subscriptions one socket may hold at once. */
    maxSubscriptionsPerSocket: 50,
    /** Incoming frames above this close the socket with 1009 (ws maxPayload). */
    maxMessageBytes: 64 * 1024,
    /** A socket whose unsent backlog exceeds this is closed with 1013 (try again later). */
    maxBufferedBytes: 1024 * 1024,
  },
  /** Scope that lets a non-admin API key ingest (DESIGN.md "Scopes"). */
  writeScope: 'ohlcv:write',
  healthTimeoutMs: 2000,
} as const;

export interface OhlcvSettings {
  databaseUrl: string | undefined;
  dataDir: string;
}

export function readOhlcvSettings(env: NodeJS.ProcessEnv = process.env): OhlcvSettings {
  return {
    databaseUrl: env.OHLCV_DATABASE_URL || undefined,
    dataDir: env.DATA_DIR || './data',
  };
}
