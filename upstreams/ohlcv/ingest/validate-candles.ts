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

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

// A plain loop without per-row closures or allocations beyond the result: it
// runs for every one of up to 10 000 rows per request.
export function validateCandleBatch(body: unknown): CandleInput[] {
  const rows = extractRows(body, 'candles');
  const issues: RowIssue[] = [];
  const valid: CandleInput[] = [];
  for (let index = 0; index < rows.length; index++) {
    const raw = rows[index];
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push(issueAt(index, 'row', 'row must be an object {timestamp, open, high, low, close, vol}', 'dict_type'));
      continue;
    }
    const row = raw as Record<string, unknown>;
    const before = issues.length;
    const ts = parseTimestamp(row.timestamp);
    if (ts === undefined) issues.push(issueAt(index, 'timestamp', 'timestamp must be an ISO 8601 date-time or epoch milliseconds'));
    else if (ts % 60_000 !== 0) issues.push(issueAt(index, 'timestamp', 'timestamp must be on a whole minute (1-minute candles)'));
    for (const field of PRICE_FIELDS) {
      if (!isFiniteNumber(row[field])) issues.push(issueAt(index, field, `${field} must be a finite number`, 'finite_number'));
    }
    const volumeField = row.vol !== undefined ? 'vol' : 'volume';
    const volume = row[volumeField];
    if (!isFiniteNumber(volume)) issues.push(issueAt(index, volumeField, `${volumeField} must be a finite number`, 'finite_number'));
    if (issues.length > before) continue;
    const open = row.open as number, high = row.high as number, low = row.low as number, close = row.close as number;
    if ((volume as number) < 0) issues.push(issueAt(index, volumeField, 'volume must be >= 0'));
    if (high < Math.max(open, close)) issues.push(issueAt(index, 'high', 'high must be >= max(open, close)'));
    if (low > Math.min(open, close)) issues.push(issueAt(index, 'low', 'low must be <= min(open, close)'));
    if (issues.length === before) valid.push({ ts: ts!, open, high, low, close, volume: volume as number });
  }
  throwIfIssues(issues, 'candles');
  return dedupeByTime(valid);
}

function issueAt(index: number, field: string, msg: string, type = 'value_error'): RowIssue {
  return { loc: ['body', 'candles', index, field], msg, type };
}
