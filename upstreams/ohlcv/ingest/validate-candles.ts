// Validates an ingest batch of 1-minute candles; every bad row is named by index
// and reason. Timestamps must sit on a whole UTC minute, since buckets of every
// timeframe are built from them.
import { parseTimestamp } from '../http/times.ts';
import { dedupeByTime, extractRows, isFiniteNumber, throwIfIssues, type RowIssue } from './batch.ts';

export interface CandleInput {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export function validateCandleBatch(body: unknown): CandleInput[] {
  const rows = extractRows(body, 'candles');
  const issues: RowIssue[] = [];
  const valid: CandleInput[] = [];
  rows.forEach((raw, index) => {
    const issue = (field: string, msg: string, type = 'value_error') => issues.push({ loc: ['body', 'candles', index, field], msg, type });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return issue('row', 'row must be an object {timestamp, open, high, low, close, vol}', 'dict_type');
    const row = raw as Record<string, unknown>;
    const before = issues.length;
    const ts = parseTimestamp(row.timestamp);
    if (ts === undefined) issue('timestamp', 'timestamp must be an ISO 8601 date-time or epoch milliseconds');
    else if (ts % 60_000 !== 0) issue('timestamp', 'timestamp must be on a whole minute (1-minute candles)');
    const volumeField = row.vol !== undefined ? 'vol' : 'volume';
    const values = { open: row.open, high: row.high, low: row.low, close: row.close, [volumeField]: row[volumeField] };
    for (const [field, value] of Object.entries(values)) {
      if (!isFiniteNumber(value)) issue(field, `${field} must be a finite number`, 'finite_number');
    }
    if (issues.length > before) return;
    const candle = { ts: ts!, open: row.open as number, high: row.high as number, low: row.low as number, close: row.close as number, volume: row[volumeField] as number };
    if (candle.volume < 0) issue(volumeField, 'volume must be >= 0');
    if (candle.high < Math.max(candle.open, candle.close)) issue('high', 'high must be >= max(open, close)');
    if (candle.low > Math.min(candle.open, candle.close)) issue('low', 'low must be <= min(open, close)');
    if (issues.length === before) valid.push(candle);
  });
  throwIfIssues(issues, 'candles');
  return dedupeByTime(valid);
}
