// Request reading as pydantic/FastAPI did it, shared by every upstream, so fullon
// clients send the bodies they always sent: unknown fields are ignored (not
// refused), enums match case-insensitively, list fields take fullon's comma
// strings, and a refusal is FastAPI's 422 {"detail": [{loc, msg, type}]}.
import { z } from 'zod';
import { unprocessable } from './errors.ts';

export type Location = 'body' | 'query' | 'path';

/** One FastAPI validation error entry. */
export interface ValidationIssue { loc: Array<string | number>; msg: string; type: string }

/** Parses or throws a 422; `at` prefixes loc when value is a part of the input (the 3rd item of a list: [2]). */
export function parseOr422<T extends z.ZodType>(schema: T, value: unknown, location: Location, at: Array<string | number> = []): z.output<T> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  throw unprocessable(result.error.issues.map((issue) => toFastApiIssue(issue, location, at)));
}

function toFastApiIssue(issue: z.core.$ZodIssue, location: Location, at: Array<string | number>): ValidationIssue {
  const loc = [location, ...at, ...issue.path.map((part) => (typeof part === 'number' ? part : String(part)))];
  // pydantic's wording for an absent field, which fullon clients show to users.
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) return { loc, msg: 'Field required', type: 'missing' };
  return { loc, msg: issue.message, type: issue.code };
}

/**
 * A request body object as pydantic reads it: unknown fields are dropped, never
 * an error (fullon clients send extra fields such as a bot's `uid` or `status`).
 */
export function bodySchema<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape);
}

/**
 * An enum matched case-insensitively and answered in its canonical spelling:
 * fullon clients send `filled` for `Filled`, `BUY` for `buy`.
 */
export function caseInsensitiveEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const byLower = new Map(values.map((value) => [value.toLowerCase(), value] as const));
  const allowed = values.join(', ');
  return z.string().transform((input, ctx): T[number] => {
    const canonical = byLower.get(input.trim().toLowerCase());
    if (canonical !== undefined) return canonical;
    ctx.addIssue({ code: 'custom', message: `must be one of: ${allowed}`, input });
    return z.NEVER;
  });
}

export interface CommaListOptions {
  /** Most items accepted. */
  max: number;
}

/**
 * A list given as a JSON array or as fullon's comma string (`"read,write"`).
 * The string form is strict so a typo is a clear 422, not a silently odd list:
 * no spaces, no empty items. Duplicates are dropped, order kept.
 */
export function commaList<T extends z.ZodType<string, string>>(item: T, options: CommaListOptions) {
  const toItems = z.unknown().transform((input, ctx): unknown[] => {
    if (Array.isArray(input)) return input;
    if (typeof input !== 'string') {
      ctx.addIssue({ code: 'custom', message: 'expected a list or a comma-separated string', input });
      return z.NEVER;
    }
    if (input === '') return [];
    const problem = /\s/.test(input) ? 'must not contain spaces' : input.split(',').includes('') ? 'has an empty item' : null;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: `comma-separated list ${problem}`, input });
      return z.NEVER;
    }
    return input.split(',');
  });
  return toItems.pipe(z.array(item).max(options.max)).transform((items) => [...new Set(items)] as Array<z.output<T>>);
}

/**
 * Fields a caller may not set through this body (ownership, ids, privileges).
 * Unknown fields are ignored, but these are named and refused so that a client
 * trying to move a row to another owner learns it did not happen.
 */
export function refuseFields(value: unknown, fields: readonly string[], location: Location = 'body'): void {
  if (value === null || typeof value !== 'object') return;
  const present = fields.filter((field) => Object.hasOwn(value, field));
  if (present.length === 0) return;
  throw unprocessable(present.map((field) => ({ loc: [location, field], msg: `${field} cannot be changed here`, type: 'value_error' })));
}
