// Lists as fullon_orm_api returned them: a bare JSON array (clients do bots[:3],
// len(users)). Paging with ?limit=&offset= (fullon_orm's page/page_size still
// read); the total travels in X-Total-Count and the next page in an RFC 8288
// Link header. The default limit is large enough that a client that never pages
// still sees all of a normal user's rows; the maximum bounds one answer.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Queryable } from '../../common/db.ts';
import type { SqlFilter } from './sql-filter.ts';

export const PAGE_DEFAULTS = { limit: 1000, maxLimit: 5000, maxOffset: 2_147_483_647 } as const;

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

/** The paging parameters (also what the OpenAPI document lists for every list). */
export const PAGE_QUERY_FIELDS = {
  limit: positiveInt(PAGE_DEFAULTS.maxLimit).optional().describe(`rows per answer (default ${PAGE_DEFAULTS.limit}, at most ${PAGE_DEFAULTS.maxLimit})`),
  offset: z.coerce.number().int().min(0).max(PAGE_DEFAULTS.maxOffset).optional().describe('rows to skip (default 0)'),
  page: positiveInt(1_000_000).optional().describe("fullon_orm's paging: page number, with page_size"),
  page_size: positiveInt(PAGE_DEFAULTS.maxLimit).optional(),
};

export const pageQuerySchema = z
  .object(PAGE_QUERY_FIELDS)
  .transform((q): PageQuery => {
    const limit = q.limit ?? q.page_size ?? PAGE_DEFAULTS.limit;
    const offset = q.offset ?? (q.page !== undefined ? (q.page - 1) * (q.page_size ?? limit) : 0);
    return { limit, offset };
  });

export interface PageQuery { limit: number; offset: number }

export interface Page<T> { rows: T[]; total: number; limit: number; offset: number }

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
  const { limit, offset } = options.page;
  const [count, rows] = await Promise.all([
    db.query<{ total: number }>(`SELECT count(*)::int AS total FROM ${options.from} ${where}`, params),
    db.query<T>(
      `${options.select} ${where} ORDER BY ${options.orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, limit, offset],
    ),
  ]);
  return { rows: rows.rows, total: count.rows[0]?.total ?? 0, limit, offset };
}

/** A list that is never paged (a bot's feeds...): the whole array, with its count. */
export function wholeList<T>(rows: T[]): Page<T> {
  return { rows, total: rows.length, limit: rows.length, offset: 0 };
}

/**
 * Answers a page as a JSON array with X-Total-Count and, when rows remain, a Link
 * to the next page. The link is a query-only relative reference (RFC 3986 §5.2.2:
 * it keeps the request's path), so it stays right behind the gateway's prefix.
 */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, page: Page<T>): T[] {
  void reply.header('x-total-count', String(page.total));
  const nextOffset = page.offset + page.rows.length;
  if (page.rows.length > 0 && nextOffset < page.total) {
    void reply.header('link', `<${nextPageQuery(request.url, page.limit, nextOffset)}>; rel="next"`);
  }
  return page.rows;
}

function nextPageQuery(url: string, limit: number, offset: number): string {
  const query = new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  for (const name of ['page', 'page_size', 'limit', 'offset']) query.delete(name);
  query.set('limit', String(limit));
  query.set('offset', String(offset));
  return `?${query.toString()}`;
}
