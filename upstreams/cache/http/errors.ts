// Maps failures of HTTP cache routes: store errors → 503, ownership lookups → 503.
import { HttpError, serviceUnavailable } from '../../common/errors.ts';

export function toHttpFailure(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return serviceUnavailable('Cache unavailable', error);
}

export async function orUnavailable<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw toHttpFailure(error);
  }
}
