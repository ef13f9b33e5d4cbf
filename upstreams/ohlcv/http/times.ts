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

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
