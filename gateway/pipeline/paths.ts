// Request path normalisation (DESIGN.md): decode once, refuse anything that could
// make the matched prefix differ from what the upstream sees (encoded "/", "\",
// NUL, dot segments), merge "//", and re-encode for forwarding.

export type NormalisedPath = { ok: true; path: string; query: string } | { ok: false; reason: string };

/** A path made only of characters that need neither decoding nor re-encoding. */
const PLAIN_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;

/** Characters RFC 3986 allows unescaped in a path segment besides unreserved ones. */
const SEGMENT_KEEP = /%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi;

export function normaliseRequestPath(rawUrl: string): NormalisedPath {
  let target = rawUrl;
  // Absolute-form request targets ("GET http://host/path"): keep path and query only.
  if (!target.startsWith('/')) {
    if (!/^https?:\/\//i.test(target)) return { ok: false, reason: 'request target must start with "/"' };
    const afterAuthority = target.indexOf('/', target.indexOf('//') + 2);
    target = afterAuthority === -1 ? '/' : target.slice(afterAuthority);
  }
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const mark = target.indexOf('?');
  const rawPath = mark === -1 ? target : target.slice(0, mark);
  const query = mark === -1 ? '' : target.slice(mark + 1);
  // Fast path: nothing encoded, no dot segments, no empty segments — already normal.
  if (PLAIN_PATH.test(rawPath) && !rawPath.includes('//') && !DOT_SEGMENT.test(rawPath)) return { ok: true, path: rawPath, query };
  if (rawPath.includes('\\')) return { ok: false, reason: 'backslash' };
  const segments = rawPath.split('/');
  const decoded: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const raw = segments[i]!;
    let segment: string;
    try {
      segment = raw.includes('%') ? decodeURIComponent(raw) : raw;
    } catch {
      return { ok: false, reason: 'bad percent-encoding' };
    }
    if (segment.includes('/')) return { ok: false, reason: 'encoded "/"' };
    if (segment.includes('\\')) return { ok: false, reason: 'encoded "\\"' };
    if (segment.includes('\0')) return { ok: false, reason: 'NUL byte' };
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(segment)) return { ok: false, reason: 'control character' };
    if (segment === '.' || segment === '..') return { ok: false, reason: 'dot segment' };
    // Merge "//": an empty segment anywhere but at the end (trailing slash) is dropped.
    if (segment === '' && i !== segments.length - 1) continue;
    decoded.push(segment);
  }
  const path = '/' + decoded.join('/');
  return { ok: true, path: path === '//' ? '/' : path, query };
}

/** Re-encodes a normalised (decoded) path for the upstream request line. */
export function encodePath(path: string): string {
  if (PLAIN_PATH.test(path)) return path;
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(SEGMENT_KEEP, (s) => decodeURIComponent(s)))
    .join('/');
}

/** True when path is prefix itself or below it, on whole segments ("/api/v1/orm" ≠ "/api/v1/ormx"). */
export function isUnderPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47 /* "/" */);
}

/** The path the upstream sees: the prefix replaced by rewrite ("" strips it, null keeps it). */
export function rewritePath(path: string, prefix: string, rewrite: string | null): string {
  if (rewrite === null) return path;
  const rest = prefix === '/' ? path : path.slice(prefix.length);
  const joined = rewrite + rest;
  return joined === '' ? '/' : joined.startsWith('/') ? joined : `/${joined}`;
}
