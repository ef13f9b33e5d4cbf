// Maps database driver errors to HTTP errors in one place: a unique clash is a
// 409 naming the field, an outage is a 503, never a stack trace.
import { sqlState } from './db.ts';
import { HttpError, conflict, serviceUnavailable, unprocessable } from './errors.ts';

const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '53300']);

export function mapDatabaseError(error: unknown): HttpError | undefined {
  const state = sqlState(error);
  const message = error instanceof Error ? error.message : '';
  if (state === '23505') {
    const detail = (error as { detail?: string }).detail ?? '';
    const field = /Key \(([^)]+)\)=/.exec(detail)?.[1] ?? 'value';
    return conflict(`${field} already exists`);
  }
  if (state === '23503') return unprocessable([{ loc: ['body'], msg: 'referenced row does not exist', type: 'foreign_key' }]);
  // 22021: a NUL byte in text, which Postgres cannot store.
  if (state === '22P02' || state === '22003' || state === '22001' || state === '22021') {
    return unprocessable([{ loc: ['body'], msg: 'value out of range or of the wrong type', type: 'value_error' }]);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if ((typeof code === 'string' && OUTAGE_CODES.has(code)) || (state?.startsWith('08') ?? false) || /timeout exceeded when trying to connect|Connection terminated/i.test(message)) {
    return serviceUnavailable('Database unavailable', error);
  }
  return undefined;
}
