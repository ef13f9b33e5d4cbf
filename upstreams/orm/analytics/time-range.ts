// The time range every analytics endpoint reads (start_time, end_time): ISO 8601
// or Unix seconds. Without them the last ANALYTICS_RANGE.defaultDays; a range is
// bounded (reversed, empty or longer than maxDays → 422), so no request makes the
// database walk a user's whole history.
import { z } from 'zod';
import { unprocessable } from '../../common/errors.ts';

export const ANALYTICS_RANGE = { defaultDays: 365, maxDays: 1830 } as const;

const DAY_MS = 86_400_000;

/** An instant as a query parameter: ISO 8601 (offset or UTC) or Unix seconds. */
const instant = z.string().trim().max(40).transform((value, ctx) => {
  const date = /^-?\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999) {
    ctx.addIssue({ code: 'custom', message: 'expected an ISO 8601 date-time or Unix seconds', input: value });
    return z.NEVER;
  }
  return date;
});

export const timeRangeQuery = { start_time: instant.optional(), end_time: instant.optional() };

export interface TimeRange { start: Date; end: Date }

export function resolveTimeRange(query: { start_time?: Date | undefined; end_time?: Date | undefined }, now = new Date()): TimeRange {
  const end = query.end_time ?? now;
  const start = query.start_time ?? new Date(end.getTime() - ANALYTICS_RANGE.defaultDays * DAY_MS);
  if (start.getTime() >= end.getTime()) {
    throw unprocessable([{ loc: ['query', 'start_time'], msg: 'start_time must be before end_time', type: 'value_error' }]);
  }
  if (end.getTime() - start.getTime() > ANALYTICS_RANGE.maxDays * DAY_MS) {
    throw unprocessable([{ loc: ['query', 'end_time'], msg: `a time range spans at most ${ANALYTICS_RANGE.maxDays} days`, type: 'value_error' }]);
  }
  return { start, end };
}

/** The range as it is echoed in answers. */
export function describeRange(range: TimeRange): { start_time: string; end_time: string } {
  return { start_time: range.start.toISOString(), end_time: range.end.toISOString() };
}
