// OpenAPI descriptions for orm routes, built from the zod schemas the routes
// validate with (upstreams/common/openapi.ts): one tag per resource, paging
// parameters and the array-with-headers answer for every list.
import { z } from 'zod';
import { describeRoute, type RouteDoc } from '../../common/openapi.ts';
import { PAGE_QUERY_FIELDS } from '../db/pagination.ts';

export const LIST_ANSWER = {
  description: 'A JSON array. X-Total-Count: rows in all pages; Link: <?…&limit=…&offset=…>; rel="next" while rows remain.',
};

export function doc(tag: string, summary: string, parts: Omit<RouteDoc, 'tags' | 'summary'> = {}) {
  return describeRoute({ tags: [tag], summary, ...parts });
}

export function listDoc(tag: string, summary: string, parts: { query?: z.ZodObject; params?: z.ZodType } = {}) {
  const query = (parts.query ?? z.object({})).extend(PAGE_QUERY_FIELDS);
  return describeRoute({ tags: [tag], summary, query, ...(parts.params ? { params: parts.params } : {}), response: { 200: LIST_ANSWER } });
}
