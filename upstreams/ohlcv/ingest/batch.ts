// Shared shape of an ingest body: `{<key>: [rows]}` or a bare array, at most
// maxBatchRows rows; row errors are collected as FastAPI 422 items naming the row.
import { unprocessable } from '../../common/errors.ts';
import { OHLCV_DEFAULTS } from '../settings.ts';

export interface RowIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** Row errors listed in one 422; the rest are summarised so the answer stays small. */
const MAX_LISTED_ISSUES = 100;

export function extractRows(body: unknown, key: string): unknown[] {
  const rows = Array.isArray(body) ? body : (body as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(rows)) throw unprocessable([{ loc: ['body', key], msg: `body must be {"${key}": [...]} or an array`, type: 'list_type' }]);
  if (rows.length === 0) throw unprocessable([{ loc: ['body', key], msg: 'at least one row is required', type: 'too_short' }]);
  if (rows.length > OHLCV_DEFAULTS.maxBatchRows) {
    throw unprocessable([{ loc: ['body', key], msg: `at most ${OHLCV_DEFAULTS.maxBatchRows} rows per request (got ${rows.length})`, type: 'too_long' }]);
  }
  return rows;
}

export function throwIfIssues(issues: RowIssue[], key: string): void {
  if (issues.length === 0) return;
  const listed = issues.slice(0, MAX_LISTED_ISSUES);
  if (issues.length > MAX_LISTED_ISSUES) {
    listed.push({ loc: ['body', key], msg: `${issues.length - MAX_LISTED_ISSUES} more invalid rows not listed`, type: 'value_error' });
  }
  throw unprocessable(listed);
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Keeps the last row per timestamp (ON CONFLICT cannot touch a row twice) and sorts by time. */
export function dedupeByTime<T extends { ts: number }>(rows: T[]): T[] {
  // Collectors almost always send strictly ascending rows: then there is nothing to do.
  let ascending = true;
  for (let i = 1; i < rows.length && ascending; i++) ascending = rows[i - 1]!.ts < rows[i]!.ts;
  if (ascending) return rows;
  const byTime = new Map<number, T>();
  for (const row of rows) byTime.set(row.ts, row);
  return [...byTime.values()].sort((a, b) => a.ts - b.ts);
}
