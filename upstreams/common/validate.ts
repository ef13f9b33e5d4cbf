// Request validation with zod, failing as FastAPI does: 422 with a list of
// {loc, msg, type} so fullon clients parse our errors unchanged.
import type { z } from 'zod';
import { unprocessable } from './errors.ts';

export function parseOr422<T extends z.ZodType>(schema: T, value: unknown, location: 'body' | 'query' | 'path'): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw unprocessable(
    result.error.issues.map((issue) => ({ loc: [location, ...issue.path.map(String)], msg: issue.message, type: issue.code })),
  );
}
