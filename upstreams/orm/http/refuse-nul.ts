// Postgres text cannot hold NUL (U+0000) and fails such a query with SQLSTATE
// 22021; refuse it up front as a 422 instead of letting it surface as a 500.
import type { FastifyInstance } from 'fastify';
import { unprocessable } from '../../common/errors.ts';

export function registerRefuseNul(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    if (request.url.includes('%00') || containsNul(request.params) || containsNul(request.body)) {
      throw unprocessable([{ loc: ['request'], msg: 'NUL characters are not allowed', type: 'value_error' }]);
    }
  });
}

function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}
