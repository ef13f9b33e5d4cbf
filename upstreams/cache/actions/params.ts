// Parameter readers for action handlers: each returns the typed value or throws
// INVALID_PARAMS with a message naming the parameter, like fullon_cache_api.
import { invalidParams } from './errors.ts';

export type Params = Record<string, unknown>;

const MAX_TEXT = 200;

export function requireText(params: Params, name: string, message = `${name} parameter required`): string {
  const value = params[name];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') throw invalidParams(message);
  if (value.length > MAX_TEXT) throw invalidParams(`${name} is too long`);
  return value;
}

export function optionalText(params: Params, name: string): string | undefined {
  return params[name] === undefined || params[name] === null ? undefined : requireText(params, name);
}

/** A positive integer id that may arrive as a number or a numeric string. */
export function requireId(params: Params, names: string[], message: string): number {
  for (const name of names) {
    const value = params[name];
    if (value === undefined || value === null) continue;
    const id = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) throw invalidParams(`${name} must be a non-negative integer`);
    return id;
  }
  throw invalidParams(message);
}

export function optionalId(params: Params, names: string[]): number | undefined {
  return names.some((name) => params[name] !== undefined && params[name] !== null) ? requireId(params, names, '') : undefined;
}

export function boundedInt(params: Params, name: string, fallback: number, min: number, max: number): number {
  const value = params[name];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParams(`${name} must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function requireTextList(params: Params, name: string, max: number): string[] {
  const value = params[name];
  if (!Array.isArray(value) || value.length === 0) throw invalidParams(`${name} must be a non-empty list`);
  if (value.length > max) throw invalidParams(`${name} may list at most ${max} entries`);
  if (!value.every((item) => typeof item === 'string' && item !== '' && item.length <= MAX_TEXT)) throw invalidParams(`${name} must list strings`);
  return [...new Set(value as string[])];
}

/** fullon stores JSON strings; a value that is not JSON is surfaced as-is. */
export function parseStored(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
