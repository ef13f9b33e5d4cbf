// The response envelope every fullon_ohlcv_api answer carries.
export function envelope<T extends Record<string, unknown>>(body: T): { success: true; message: null; timestamp: string } & T {
  return { success: true, message: null, timestamp: new Date().toISOString(), ...body };
}

/** ISO 8601 UTC with milliseconds, from a driver Date (pg and PGlite both return Date). */
export function isoOf(value: Date | string | number): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
