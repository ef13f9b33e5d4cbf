// Finds the one credential a request carries: Authorization: Bearer, X-API-Key,
// and for WebSocket upgrades also ?token= and Sec-WebSocket-Protocol: bearer, <t>.
// Duplicates that disagree are refused (400), never resolved by picking one.
import type { IncomingMessage } from 'node:http';
import type { AuthErrorCode } from './errors.ts';

export type Credential =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string; source: 'header' | 'query' | 'protocol' }
  | { kind: 'api_key'; key: string }
  | { kind: 'invalid'; code: AuthErrorCode };

/** Subprotocol that marks "the next offered protocol is a bearer token". */
export const BEARER_SUBPROTOCOL = 'bearer';
export const TOKEN_QUERY_PARAM = 'token';

const BEARER = /^Bearer[ \t]+([^\s,]+)[ \t]*$/i;

/**
 * The last Authorization value that held a bearer token, and that token. A client
 * sends the same header on every request, so it is parsed once; and the token is
 * then the same string each time, whose hash V8 keeps on it, so the verified-token
 * cache (edge-auth.ts) finds it without hashing its ~300 characters again. Both
 * were a measurable part of what a JWT adds to a request (docs/benchmarks.md).
 * Comparing a request's header with the previous one (maybe another user's) tells
 * a client nothing it could time: a compare of a few hundred bytes takes
 * nanoseconds, and the verified-token cache compares tokens by content anyway.
 */
let lastAuthorization: string | null = null;
let lastBearerToken = '';

/** The token of `Bearer <token>`, or null when the value is not exactly that. */
function bearerTokenOf(authorization: string): string | null {
  if (authorization === lastAuthorization) return lastBearerToken;
  const match = BEARER.exec(authorization);
  if (!match) return null;
  lastAuthorization = authorization;
  lastBearerToken = match[1]!;
  return lastBearerToken;
}

/** Case-insensitive header name test that allocates nothing for the two usual spellings. */
function isNamed(name: string, lower: string, canonical: string): boolean {
  return name === lower || name === canonical || name.toLowerCase() === lower;
}

export function extractCredential(req: IncomingMessage, url: URL, isUpgrade: boolean): Credential {
  // Node keeps only the first Authorization header in req.headers; rawHeaders has them all.
  let authorization: string | undefined;
  let apiKey: string | undefined;
  let authorizationCount = 0;
  let apiKeyCount = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 13 && isNamed(name, 'authorization', 'Authorization')) {
      authorizationCount++;
      authorization = raw[i + 1];
    } else if (name.length === 9 && isNamed(name, 'x-api-key', 'X-API-Key')) {
      apiKeyCount++;
      apiKey = raw[i + 1];
    }
  }
  if (authorizationCount > 1 || apiKeyCount > 1) return { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' };

  let headerToken: string | null = null;
  if (authorization !== undefined) {
    headerToken = bearerTokenOf(authorization);
    if (headerToken === null) return { kind: 'invalid', code: /^Bearer\b/i.test(authorization.trim()) ? 'INVALID_TOKEN' : 'UNSUPPORTED_SCHEME' };
  }

  if (isUpgrade) {
    const found: Array<{ token: string; source: 'header' | 'query' | 'protocol' }> = [];
    if (headerToken !== null) found.push({ token: headerToken, source: 'header' });
    for (const token of url.searchParams.getAll(TOKEN_QUERY_PARAM)) {
      if (token === '') return { kind: 'invalid', code: 'INVALID_TOKEN' };
      found.push({ token, source: 'query' });
    }
    const offered = readProtocolToken(req.headers['sec-websocket-protocol']);
    if (offered === '') return { kind: 'invalid', code: 'INVALID_TOKEN' };
    if (offered !== null) found.push({ token: offered, source: 'protocol' });
    if (found.length > 0) {
      if (found.some((entry) => entry.token !== found[0]!.token)) return { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' };
      return { kind: 'bearer', ...found[0]! };
    }
  } else if (headerToken !== null) {
    return { kind: 'bearer', token: headerToken, source: 'header' };
  }

  if (apiKey !== undefined) {
    const key = apiKey.trim();
    return key === '' ? { kind: 'invalid', code: 'INVALID_API_KEY' } : { kind: 'api_key', key };
  }
  return { kind: 'none' };
}

/** Splits a Sec-WebSocket-Protocol value into its offered protocols. */
export function parseSubprotocols(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const joined = Array.isArray(header) ? header.join(',') : header;
  return joined.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * The token offered as `bearer, <token>`; '' when "bearer" is offered without a
 * token after it; null when the client did not use this convention.
 */
export function readProtocolToken(header: string | string[] | undefined): string | null {
  if (header === undefined) return null;
  const offered = parseSubprotocols(header);
  const index = offered.indexOf(BEARER_SUBPROTOCOL);
  if (index === -1) return null;
  return offered[index + 1] ?? '';
}
