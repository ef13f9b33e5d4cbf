// The wire format of fullon_cache_api, serialised in one place: replies,
// errors, stream confirmations and updates.
import type { ErrorCode } from '../actions/errors.ts';

export type RequestId = string | number | null;

export const replyOf = (requestId: RequestId, action: string, result: unknown) => ({ request_id: requestId, action, success: true, result });

export const errorOf = (requestId: RequestId, code: ErrorCode, error: string, extra: Record<string, unknown> = {}) => ({
  request_id: requestId,
  success: false,
  error_code: code,
  error,
  ...extra,
});

export const streamStartedOf = (requestId: RequestId, action: string, message: string, streamKey: string) => ({
  request_id: requestId,
  action,
  success: true,
  message,
  stream_key: streamKey,
});

/**
 * `{request_id, action: "<x>_update", result: {stream_key, ...fields}}` built by
 * string concatenation: the fields were serialised once for all subscribers.
 */
export function updateFrameOf(requestIdJson: string, updateJson: string, streamKeyJson: string, fields: string): string {
  const rest = fields === '' ? '' : `,${fields}`;
  return `{"request_id":${requestIdJson},"action":${updateJson},"result":{"stream_key":${streamKeyJson}${rest}}}`;
}

/** Request ids are echoed back; anything but a short string or number becomes null. */
export function readRequestId(value: unknown): RequestId {
  if (typeof value === 'string' && value.length <= 200) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return null;
}
