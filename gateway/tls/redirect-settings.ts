// HTTP_REDIRECT_* settings: the optional plain-HTTP listener that sends browsers to
// HTTPS (308) and answers the ACME HTTP-01 challenges (http-redirect.ts).
import { z } from 'zod';
import { firstIssueLine } from '../config/first-issue.ts';
import { normaliseHostname } from './hostname.ts';

export interface HttpRedirectSettings {
  /** HTTP_REDIRECT_HOST (default: HOST). */
  host: string;
  /** HTTP_REDIRECT_PORT (80 by default with ACME_DOMAINS); 0 picks a free one (tests). */
  port: number;
  /**
   * HTTP_REDIRECT_HTTPS_PORT: the port written into the Location (443 is left out);
   * null: the port the gateway listens on (known once it listens, PORT=0 included).
   */
  httpsPort: number | null;
  /**
   * The only names a redirect may point at: ACME_DOMAINS plus HTTP_REDIRECT_HOSTS.
   * Any other Host gets a 400, so a forged Host never turns into a redirect (or a
   * cached redirect) to someone else's site.
   */
  names: ReadonlySet<string>;
}

const port = (min: number) =>
  z.string().optional().transform((value, ctx) => {
    const text = value?.trim() ?? '';
    if (text === '') return null;
    const number = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(number >= min && number <= 65535)) {
      ctx.addIssue({ code: 'custom', message: `must be a port number (${min}-65535), got "${text}"` });
      return z.NEVER;
    }
    return number;
  });
const SCHEMA = z.object({
  HTTP_REDIRECT_PORT: port(0),
  HTTP_REDIRECT_HTTPS_PORT: port(1),
  HTTP_REDIRECT_HOST: z.string().optional().transform((v) => (v?.trim() ? v.trim() : null)),
  HTTP_REDIRECT_HOSTS: z.string().optional().transform((value, ctx) => {
    const names: string[] = [];
    for (const entry of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const name = normaliseHostname(entry);
      if (!name) {
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name` });
        return z.NEVER;
      }
      names.push(name);
    }
    return names;
  }),
});

export interface RedirectContext {
  /** HOST of the gateway: the redirect listener's default address. */
  host: string;
  /** ACME_DOMAINS, already validated (empty without ACME). */
  acmeDomains: readonly string[];
  /** The gateway itself speaks HTTPS (a certificate source is set: tls/settings.ts). */
  tlsEnabled: boolean;
}

/** HTTP-01 is checked on port 80 (RFC 8555 §8.3). */
export const ACME_HTTP_PORT = 80;

/** Null when HTTP_REDIRECT_PORT is unset and there is no ACME; throws Error with one line on a bad value. */
export function readHttpRedirectSettings(env: Readonly<NodeJS.ProcessEnv>, context: RedirectContext): HttpRedirectSettings | null {
  const parsed = SCHEMA.safeParse({
    HTTP_REDIRECT_PORT: env.HTTP_REDIRECT_PORT,
    HTTP_REDIRECT_HTTPS_PORT: env.HTTP_REDIRECT_HTTPS_PORT,
    HTTP_REDIRECT_HOST: env.HTTP_REDIRECT_HOST,
    HTTP_REDIRECT_HOSTS: env.HTTP_REDIRECT_HOSTS,
  });
  if (!parsed.success) throw new Error(firstIssueLine(parsed.error));
  const data = parsed.data;
  // With ACME the CA must reach a challenge answerer: port 80 unless told otherwise (as Caddy).
  const listenPort = data.HTTP_REDIRECT_PORT ?? (context.acmeDomains.length > 0 ? ACME_HTTP_PORT : null);
  if (listenPort === null) return null;
  const names = new Set([...context.acmeDomains, ...data.HTTP_REDIRECT_HOSTS]);
  if (names.size === 0) {
    throw new Error('HTTP_REDIRECT_PORT needs ACME_DOMAINS or HTTP_REDIRECT_HOSTS: the host names a redirect may point at (any other Host gets a 400)');
  }
  // Redirecting to the gateway's own port while it speaks plain HTTP would loop
  // browsers into a TLS error; only a TLS terminator in front (its port named) makes sense.
  if (!context.tlsEnabled && data.HTTP_REDIRECT_HTTPS_PORT === null) {
    throw new Error('HTTP_REDIRECT_PORT redirects to HTTPS, but the gateway has no certificate (TLS_CERT_FILE, TLS_CERT_DIR or ACME_DOMAINS); set one, or HTTP_REDIRECT_HTTPS_PORT when TLS ends in front of the gateway');
  }
  return { host: data.HTTP_REDIRECT_HOST ?? context.host, port: listenPort, httpsPort: data.HTTP_REDIRECT_HTTPS_PORT, names };
}
