// One function maps upstream failures to client statuses (Caddy's statusError):
// our own deadline → 504, client gone → 499, refused/reset → 502 naming the
// upstream. It also says which failures count against the upstream's health.
import { errors, type GatewayError } from '../pipeline/errors.ts';

// UND_ERR_SOCKET is undici's "other side closed"; UND_ERR_CONNECT_TIMEOUT its connect deadline.
const CONNECTION_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNECT_TIMEOUT', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const CONNECT_TIMEOUTS = new Set(['ECONNECT_TIMEOUT', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);

export interface FailureFacts {
  upstream: string;
  /** Our route deadline fired before the response headers came. */
  timedOut: boolean;
  /** The client went away first (nothing can be sent). */
  clientGone: boolean;
}

export interface MappedFailure {
  error: GatewayError;
  /** Passive health: tell the registry (refused/reset/connect timeout). */
  connectionFailure: boolean;
}

export function mapUpstreamError(error: unknown, facts: FailureFacts): MappedFailure {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const { upstream } = facts;
  if (facts.clientGone) return { error: errors.clientClosed(), connectionFailure: false };
  if (facts.timedOut) return { error: errors.gatewayTimeout(upstream), connectionFailure: false };
  if (CONNECT_TIMEOUTS.has(code)) return { error: errors.gatewayTimeout(upstream, 'could not be reached in time'), connectionFailure: true };
  if (code === 'ECONNREFUSED') return { error: errors.badGateway(upstream, 'refused the connection', error), connectionFailure: true };
  if (code.startsWith('HPE_') || (error as Error | undefined)?.name === 'HTTPParserError' || code === 'ERR_INVALID_CHAR' || code === 'ERR_INVALID_HTTP_TOKEN') return { error: errors.badGateway(upstream, 'sent an invalid response', error), connectionFailure: false };
  if (CONNECTION_FAILURES.has(code)) return { error: errors.badGateway(upstream, 'closed the connection', error), connectionFailure: true };
  return { error: errors.badGateway(upstream, 'failed', error), connectionFailure: false };
}
