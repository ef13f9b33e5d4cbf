// Parsers for the human units routes.yaml accepts: durations ("500ms", "10s",
// "5m", "1h" or a number of milliseconds) and sizes ("64kb", "1mb" or bytes).

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** Milliseconds, or null when the value is not a duration. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!match) return null;
  const unit = DURATION_UNITS[(match[2] ?? 'ms').toLowerCase()]!;
  return Math.round(Number(match[1]) * unit);
}

/** Bytes, or null when the value is not a size. */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i.exec(value);
  if (!match) return null;
  const unit = SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!;
  return Math.round(Number(match[1]) * unit);
}
