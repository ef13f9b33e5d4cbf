// Paged lists as every orm collection answers them: page / page_size query
// parameters (default 50, max 500) → {items, page, page_size, total}.
import { z } from 'zod';
import type { Queryable } from '../../common/db.ts';
import type { SqlFilter } from './sql-filter.ts';

export const PAGE_DEFAULTS = { page: 1, pageSize: 50, maxPageSize: 500 } as const;

export const pageQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(PAGE_DEFAULTS.page),
  page_size: z.coerce.number().int().min(1).max(PAGE_DEFAULTS.maxPageSize).default(PAGE_DEFAULTS.pageSize),
});

export interface PageQuery { page: number; page_size: number }

export interface Page<T> { items: T[]; page: number; page_size: number; total: number }

export interface ListPageOptions {
  /** `SELECT ... FROM ...` without WHERE/ORDER/LIMIT. */
  select: string;
  /** `FROM ...` part used for the count. */
  from: string;
  filter: SqlFilter;
  orderBy: string;
  page: PageQuery;
}

/** Runs the count and the page query with the same filter and parameters. */
export async function listPage<T>(db: Queryable, options: ListPageOptions): Promise<Page<T>> {
  const { where, params } = options.filter.build();
  const offset = (options.page.page - 1) * options.page.page_size;
  const [count, rows] = await Promise.all([
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${options.from} ${where}`, params),
    db.query<T>(
      `${options.select} ${where} ORDER BY ${options.orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, options.page.page_size, offset],
    ),
  ]);
  return { items: rows.rows, page: options.page.page, page_size: options.page.page_size, total: count.rows[0]?.total ?? 0 };
}
