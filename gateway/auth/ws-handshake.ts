// What the WebSocket proxy needs from auth around an upgrade: the URL and
// subprotocols to forward without the client's token, the subprotocol to answer
// the 101 with, and a timer that closes the socket when its credential expires.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { AuthenticatedUser } from './types.ts';
import { BEARER_SUBPROTOCOL, TOKEN_QUERY_PARAM, parseSubprotocols, readProtocolToken } from './credentials.ts';

/** WebSocket close code for "policy violation" (RFC 6455 §7.4.1), used when a credential expires. */
export const CLOSE_POLICY_VIOLATION = 1008;
export const EXPIRED_CLOSE_REASON = 'token expired';
/** setTimeout's ceiling (~24.8 days); longer expiries re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The raw query (no "?") without any token= parameter, so it never reaches the upstream or a log. */
export function removeTokenParam(query: string): string {
  if (query === '') return query;
  return query
    .split('&')
    .filter((part) => {
      const name = part.split('=', 1)[0]!;
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        /* keep the raw name */
      }
      return decoded !== TOKEN_QUERY_PARAM;
    })
    .join('&');
}

/**
 * The Sec-WebSocket-Protocol value to send upstream: the client's offer minus
 * "bearer" and the token after it; null when nothing is left (drop the header).
 */
export function upstreamSubprotocols(header: string | string[] | undefined): string | null {
  const offered = parseSubprotocols(header);
  const index = offered.indexOf(BEARER_SUBPROTOCOL);
  if (index !== -1) offered.splice(index, 2);
  return offered.length > 0 ? offered.join(', ') : null;
}

/**
 * The subprotocol the 101 must carry: "bearer" when the client authenticated
 * with `Sec-WebSocket-Protocol: bearer, <token>` (browsers fail the handshake
 * unless the server selects one of the offered protocols), else null — then the
 * upstream's own choice, if any, goes through. Reads rawHeaders, so it still
 * answers after the forwarded headers were rewritten.
 */
export function responseSubprotocol(req: IncomingMessage): string | null {
  const offered: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'sec-websocket-protocol') offered.push(raw[i + 1]!);
  }
  return readProtocolToken(offered.length === 0 ? undefined : offered) ? BEARER_SUBPROTOCOL : null;
}

/**
 * Takes the client's credentials out of an upgrade before it goes upstream:
 * returns the query without token=, and rewrites Sec-WebSocket-Protocol in
 * place without "bearer, <token>" (deleted when nothing else was offered).
 */
export function stripUpgradeCredentials(query: string, headers: IncomingHttpHeaders): string {
  const protocols = headers['sec-websocket-protocol'];
  if (protocols !== undefined) {
    const rest = upstreamSubprotocols(protocols);
    if (rest === null) delete headers['sec-websocket-protocol'];
    else headers['sec-websocket-protocol'] = rest;
  }
  return removeTokenParam(query);
}

/**
 * Completes the 101 the upstream sent: when the client offered the bearer
 * convention and the upstream selected no subprotocol, select "bearer".
 */
export function completeUpgradeResponse(req: IncomingMessage, responseHeaders: IncomingHttpHeaders): void {
  if (responseHeaders['sec-websocket-protocol'] !== undefined) return;
  const selected = responseSubprotocol(req);
  if (selected !== null) responseHeaders['sec-websocket-protocol'] = selected;
}

/**
 * Calls onExpire when the user's credential expires (never for credentials
 * without expiry). Returns a cancel function for when the socket closes first.
 */
export function watchCredentialExpiry(user: AuthenticatedUser, onExpire: () => void, now: () => number = Date.now): () => void {
  if (user.expiresAt === null) return () => {};
  const deadline = user.expiresAt * 1000;
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    const remaining = deadline - now();
    if (remaining <= 0) {
      timer = null;
      onExpire();
      return;
    }
    timer = setTimeout(arm, Math.min(remaining, MAX_TIMER_MS));
    // An open socket keeps the process alive by itself; the timer must not.
    timer.unref();
  };
  arm();
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
