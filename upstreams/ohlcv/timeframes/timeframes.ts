// The supported timeframes and the SQL that maps a timestamp to its bucket.
// Buckets are UTC-aligned: fixed widths via date_bin from the Unix epoch
// (1970-01-01T00:00Z, so 1m..1d start on whole minutes/hours/days and 3d buckets
// start on days since the epoch divisible by 3), weeks on Monday 00:00 UTC and
// months on the 1st 00:00 UTC via date_trunc(..., 'UTC').
import { unprocessable } from '../../common/errors.ts';

export const TIMEFRAMES = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '6h', '8h', '12h', '1d', '3d', '1w', '1M'] as const;
export type Timeframe = (typeof TIMEFRAMES)[number];

/** Width in minutes of fixed-width frames; calendar frames have none. */
const FIXED_MINUTES: Partial<Record<Timeframe, number>> = {
  '1m': 1, '3m': 3, '5m': 5, '15m': 15, '30m': 30,
  '1h': 60, '2h': 120, '4h': 240, '6h': 360, '8h': 480, '12h': 720,
  '1d': 1440, '3d': 4320,
};

export const BUCKET_ORIGIN = '1970-01-01T00:00:00Z';

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

export function parseTimeframe(value: string): Timeframe {
  if (isTimeframe(value)) return value;
  throw unprocessable(`Invalid timeframe '${value}'. Supported: ${TIMEFRAMES.join(', ')}`);
}

/** Fixed width in minutes, or undefined for 1w / 1M. */
export function fixedMinutes(timeframe: Timeframe): number | undefined {
  return FIXED_MINUTES[timeframe];
}

/** The nominal width in seconds (1M counted as 30 days), for the /timeframes listing. */
export function nominalSeconds(timeframe: Timeframe): number {
  if (timeframe === '1w') return 7 * 86_400;
  if (timeframe === '1M') return 30 * 86_400;
  return (FIXED_MINUTES[timeframe] ?? 0) * 60;
}

/** SQL interval literal of one bucket step (months stay calendar months). */
export function stepInterval(timeframe: Timeframe): string {
  if (timeframe === '1w') return "interval '7 days'";
  if (timeframe === '1M') return "interval '1 month'";
  return `interval '${FIXED_MINUTES[timeframe]} minutes'`;
}

/** SQL expression: the bucket start (timestamptz) of the timestamptz expression `column`. */
export function bucketSql(timeframe: Timeframe, column: string): string {
  if (timeframe === '1w') return `date_trunc('week', ${column}, 'UTC')`;
  if (timeframe === '1M') return `date_trunc('month', ${column}, 'UTC')`;
  return `date_bin(${stepInterval(timeframe)}, ${column}, TIMESTAMPTZ '${BUCKET_ORIGIN}')`;
}

/**
 * SQL expression: `start` moved by `count` (an SQL int expression) steps. Done on
 * UTC wall time so month arithmetic never depends on the session TimeZone.
 */
export function shiftSql(timeframe: Timeframe, start: string, count: string): string {
  return `((${start} AT TIME ZONE 'UTC') + (${count}) * ${stepInterval(timeframe)}) AT TIME ZONE 'UTC'`;
}

/** Frames of one hour or more read the hourly rollup; smaller ones the minute table. */
export function readsHourly(timeframe: Timeframe): boolean {
  const minutes = FIXED_MINUTES[timeframe];
  return minutes === undefined || minutes >= 60;
}

/** Upper bound of a bucket's width in ms, for widening a source scan. */
export function maxWidthMs(timeframe: Timeframe): number {
  if (timeframe === '1M') return 31 * 86_400_000;
  if (timeframe === '1w') return 7 * 86_400_000;
  return (FIXED_MINUTES[timeframe] ?? 0) * 60_000;
}
