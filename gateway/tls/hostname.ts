// Host names as configuration and as hostile input: the one check both ACME_DOMAINS
// (what we ask a CA for) and the plain-HTTP listener's Host header (where we send a
// redirect) go through, so neither can name something the other would not accept.
import { isIP } from 'node:net';

// RFC 1123 labels: letters, digits and inner hyphens, 1-63 characters each.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The lower-cased name if it is a DNS host name (no IP, no wildcard, no port), else null. */
export function normaliseHostname(text: string): string | null {
  const name = text.trim().toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253 || isIP(name) !== 0) return null;
  return name.split('.').every((label) => LABEL.test(label)) ? name : null;
}

/**
 * Splits a Host header value into name and port (RFC 9110 §7.2: uri-host [":" port]).
 * Null when it is not exactly that: userinfo, paths, bad ports and IP literals
 * (an IP literal never matches a configured name, and a redirect never goes to one).
 */
export function parseHostHeader(value: string): { name: string; port: number | null } | null {
  const match = /^([^:]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match) return null;
  const name = normaliseHostname(match[1]!);
  if (!name) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  return { name, port };
}
