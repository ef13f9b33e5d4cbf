// Strict parsing of client timestamps: ISO 8601 (a date, or a date-time with
// optional seconds/fraction and Z or ±HH:MM; no zone means UTC) or epoch
// milliseconds. Date.parse alone would accept 2023-02-30 as March 2.
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;
const MIN_MS = 0; // 1970-01-01
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Epoch ms of an ISO string or epoch-ms number, or undefined when malformed or out of range. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= MIN_MS && value <= MAX_MS ? value : undefined;
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const fast = parseCanonical(value);
  if (fast !== undefined) return fast;
  const match = ISO.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetH = Number(digits.slice(0, 2)), offsetM = Number(digits.slice(2));
    if (offsetH > 23 || offsetM > 59) return undefined;
    ms -= sign * (offsetH * 60 + offsetM) * 60_000;
  }
  return ms >= MIN_MS && ms <= MAX_MS ? ms : undefined;
}

/**
 * Fast path for what toISOString() emits (`2024-02-29T00:01:00.000Z` or without
 * the fraction): digits read by char code, no regex; anything else falls back.
 */
function parseCanonical(value: string): number | undefined {
  const length = value.length;
  if ((length !== 24 && length !== 20) || value.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T' || value[13] !== ':' || value[16] !== ':') return undefined;
  if (length === 24 && value[19] !== '.') return undefined;
  const year = digits(value, 0, 4), month = digits(value, 5, 2), day = digits(value, 8, 2);
  const hour = digits(value, 11, 2), minute = digits(value, 14, 2), second = digits(value, 17, 2);
  const millis = length === 24 ? digits(value, 20, 3) : 0;
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || minute < 0 || second < 0 || millis < 0) return undefined;
  if (day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  return ms >= MIN_MS && ms <= MAX_MS ? ms : undefined;
}

/** The decimal number in value[start, start+count), or -1 when any char is not a digit. */
function digits(value: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    const code = value.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    n = n * 10 + code;
  }
  return n;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Arithmetic, not a Date allocation: this runs once per ingested row.
function daysInMonth(year: number, month: number): number {
  if (month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return 29;
  return MONTH_DAYS[month - 1]!;
}
