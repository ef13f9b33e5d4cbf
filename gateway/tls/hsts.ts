// The Strict-Transport-Security header (RFC 6797) for HTTPS responses. Computed
// once from the settings; the HTTPS listener sets it on every response it sends
// over TLS (never over plain HTTP, where browsers must ignore it, §8.1).
import type { HstsSettings } from './settings.ts';

/** The header value, or null when HSTS is off (HSTS_MAX_AGE=0). */
export function hstsHeaderValue(hsts: HstsSettings | null): string | null {
  if (hsts === null || hsts.maxAgeS <= 0) return null;
  return hsts.includeSubDomains ? `max-age=${hsts.maxAgeS}; includeSubDomains` : `max-age=${hsts.maxAgeS}`;
}
