// The one statement that writes a batch's rows, shared by candle and trade ingest.
import type { Queryable } from '../../common/db.ts';

/**
 * Writes a batch: a plain INSERT when no stored row lies within the batch's time
 * span (about twice as fast as ON CONFLICT), the upsert otherwise. The check is
 * race-free because the caller holds the series lock.
 */
export interface WriteRowsOptions {
  table: string;
  series: number;
  firstMs: number;
  lastMs: number;
  /** Plain INSERT and ON CONFLICT forms; both take $1 = series, then the columns. */
  insertSql: string;
  upsertSql: string;
  columns: unknown[];
}

export async function writeRows(tx: Queryable, options: WriteRowsOptions): Promise<{ inserted: number; written: number }> {
  const { table, series, firstMs, lastMs, insertSql, upsertSql, columns } = options;
  const { rows: probe } = await tx.query<{ taken: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${table} WHERE series_id = $1 AND ts >= to_timestamp($2 / 1000.0) AND ts <= to_timestamp($3 / 1000.0)) AS taken`,
    [series, firstMs, lastMs]);
  if (!probe[0]?.taken) {
    const { rowCount } = await tx.query(insertSql, [series, ...columns]);
    return { inserted: rowCount, written: rowCount };
  }
  const { rows } = await tx.query<{ inserted: number; written: number }>(upsertSql, [series, ...columns]);
  return rows[0] ?? { inserted: 0, written: 0 };
}

/** `{1,2.5,...}`; the values are finite numbers (validated), so no quoting is needed. */
export function arrayLiteral(values: number[]): string {
  return `{${values.join(',')}}`;
}
