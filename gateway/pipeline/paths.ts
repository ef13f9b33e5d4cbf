// Request path normalisation (DESIGN.md routes.yaml): the path is split on raw "/"
// only; each segment is percent-decoded once for matching, so an encoded "/"
// (BTC%2FUSDC) stays data inside its segment, and the path goes upstream as the
// client sent it. Refused with 400: dot segments (raw, encoded, or hidden behind
// an encoded "/" as in a%2F..%2Fb), "\" and %5C, NUL and control characters —
// at one level of encoding or two, since a second decode somewhere downstream
// must not turn data into a traversal.

export type NormalisedPath =
  | {
      ok: true;
      /**
       * For matching: each segment decoded once, with "%" and "/" inside a segment
       * re-escaped (%25, %2F) so segment boundaries are exactly the raw path's.
       */
      path: string;
      /** For forwarding: the segments as sent ("//" merged, request-line-unsafe bytes escaped). */
      rawPath: string;
      query: string;
    }
  | { ok: false; reason: string };

/** A path made only of characters that need neither decoding nor re-encoding. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;
/** Characters a raw segment may carry as they are (RFC 3986 pchar, plus "%" of an escape). */
const SEGMENT_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

export function normaliseRequestPath(rawUrl: string): NormalisedPath {
  let target = rawUrl;
  // Absolute-form request targets ("GET http://host/path"): keep path and query only.
  if (!target.startsWith('/')) {
    if (!/^https?:\/\//i.test(target)) return { ok: false, reason: 'request target must start with "/"' };
    // The authority ends at the first "/", "?" or "#" (RFC 3986 §3.2): in
    // "http://evil.com?/api" the path is "/" and "/api" only a query (issue 10 #11).
    const authority = target.indexOf('//') + 2;
    let end = target.length;
    for (const mark of ['/', '?', '#']) {
      const at = target.indexOf(mark, authority);
      if (at !== -1 && at < end) end = at;
    }
    const rest = target.slice(end);
    target = rest.startsWith('/') ? rest : `/${rest}`;
  }
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const mark = target.indexOf('?');
  const rawPath = mark === -1 ? target : target.slice(0, mark);
  const query = mark === -1 ? '' : target.slice(mark + 1);
  // Fast path: nothing encoded, no dot segments, no empty segments — already normal.
  if (PLAIN_PATH.test(rawPath) && !rawPath.includes('//') && !DOT_SEGMENT.test(rawPath)) return { ok: true, path: rawPath, rawPath, query };
  if (rawPath.includes('\\')) return { ok: false, reason: 'backslash' };
  const segments = rawPath.split('/');
  const matched: string[] = [];
  const forwarded: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const raw = segments[i]!;
    // Merge "//": an empty segment anywhere but at the end (trailing slash) is dropped.
    if (raw === '' && i !== segments.length - 1) continue;
    const once = decodeSegment(raw);
    if (once === null) return { ok: false, reason: 'bad percent-encoding' };
    const problem = refusal(once, 'encoded');
    if (problem) return { ok: false, reason: problem };
    // Double encoding (%252e%252e): whatever a second decode would reveal must pass too.
    // A second level that does not decode cleanly is plain data ("100%").
    if (once.includes('%')) {
      const twice = decodeSegment(once);
      const hidden = twice === null ? null : refusal(twice, 'double-encoded');
      if (hidden) return { ok: false, reason: hidden };
    }
    matched.push(once.includes('%') || once.includes('/') ? once.replaceAll('%', '%25').replaceAll('/', '%2F') : once);
    forwarded.push(SEGMENT_SAFE.test(raw) ? raw : escapeUnsafe(raw));
  }
  const path = '/' + matched.join('/');
  const forward = '/' + forwarded.join('/');
  return { ok: true, path: path === '//' ? '/' : path, rawPath: forward === '//' ? '/' : forward, query };
}

function decodeSegment(raw: string): string | null {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** Why a decoded segment is refused, or null. An encoded "/" is data, but not one that hides a dot segment. */
function refusal(decoded: string, level: 'encoded' | 'double-encoded'): string | null {
  if (decoded.includes('\\')) return `${level} "\\"`;
  if (decoded.includes('\0')) return 'NUL byte';
  if (CONTROL.test(decoded)) return 'control character';
  if (decoded.split('/').some((part) => part === '.' || part === '..')) return 'dot segment';
  return null;
}

/** Escapes what may not stand in a request line, leaving the client's own escapes as they are. */
function escapeUnsafe(raw: string): string {
  let out = '';
  for (const char of raw) {
    if (SEGMENT_SAFE.test(char)) out += char;
    // Node hands non-ASCII request-line bytes over as latin1 characters: one byte each.
    else if (char.length === 1 && char.charCodeAt(0) < 256) out += `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
    else out += encodeURIComponent(char);
  }
  return out;
}

/** True when path is prefix itself or below it, on whole segments ("/api/v1/orm" ≠ "/api/v1/ormx"). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47 /* "/" */);
}

/**
 * The path the upstream sees: the prefix's segments replaced by rewrite ("" strips
 * them, null keeps the path). Works on segments, so it applies to the raw path the
 * route was matched for (whose first segments may be spelled %6Frm for orm).
 */
export function rewritePath(path: string, prefix: string, rewrite: string | null): string {
  if (rewrite === null) return path;
  let rest = path;
  if (prefix !== '/') {
    const count = prefix.split('/').length - 1;
    let at = 0;
    for (let i = 0; i < count && at !== -1; i++) at = path.indexOf('/', at + 1);
    rest = at === -1 ? '' : path.slice(at);
  }
  const joined = rewrite + rest;
  return joined === '' ? '/' : joined.startsWith('/') ? joined : `/${joined}`;
}
