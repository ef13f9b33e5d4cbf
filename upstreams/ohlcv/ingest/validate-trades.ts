// Validates an ingest batch of trades; every bad row is named by index and reason.
import { parseTimestamp } from '../http/times.ts';
import { dedupeByTime, extractRows, isFiniteNumber, throwIfIssues, type RowIssue } from './batch.ts';

export interface TradeInput {
  ts: number;
  price: number;
  volume: number;
  side: 'buy' | 'sell';
  type: string;
}

const TYPE = /^[a-z_]{1,16}$/;

export function validateTradeBatch(body: unknown): TradeInput[] {
  const rows = extractRows(body, 'trades');
  const issues: RowIssue[] = [];
  const valid: TradeInput[] = [];
  rows.forEach((raw, index) => {
    const issue = (field: string, msg: string, type = 'value_error') => issues.push({ loc: ['body', 'trades', index, field], msg, type });
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return issue('row', 'row must be an object {timestamp, price, volume, side, type}', 'dict_type');
    const row = raw as Record<string, unknown>;
    const before = issues.length;
    const ts = parseTimestamp(row.timestamp);
    if (ts === undefined) issue('timestamp', 'timestamp must be an ISO 8601 date-time or epoch milliseconds');
    if (!isFiniteNumber(row.price)) issue('price', 'price must be a finite number', 'finite_number');
    if (!isFiniteNumber(row.volume)) issue('volume', 'volume must be a finite number', 'finite_number');
    else if (row.volume < 0) issue('volume', 'volume must be >= 0');
    // fullon's enums are case-insensitive (BUY, MARKET); they are stored lowercase.
    const side = typeof row.side === 'string' ? row.side.toLowerCase() : row.side;
    if (side !== 'buy' && side !== 'sell') issue('side', "side must be 'buy' or 'sell'");
    const type = typeof row.type === 'string' ? row.type.toLowerCase() : (row.type ?? 'market');
    if (typeof type !== 'string' || !TYPE.test(type)) issue('type', 'type must be a short word such as market or limit');
    if (issues.length === before) valid.push({ ts: ts!, price: row.price as number, volume: row.volume as number, side: side as 'buy' | 'sell', type: type as string });
  });
  throwIfIssues(issues, 'trades');
  return dedupeByTime(valid);
}
