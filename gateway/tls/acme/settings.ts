// ACME_* settings (docs/environment.md, docs/https.md): which names get automatic
// certificates, from which CA, for which contact. Read once at start through
// config/process-settings.ts; a bad value stops the start with one line.
import { z } from 'zod';
import { firstIssueLine } from '../../config/first-issue.ts';
import { normaliseHostname } from '../hostname.ts';

/** Let's Encrypt production; staging is https://acme-staging-v02.api.letsencrypt.org/directory. */
export const LETS_ENCRYPT_PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory';

export interface AcmeSettings {
  /** ACME_DOMAINS: one certificate per name, each stored in DATA_DIR/acme/certs/<name>/. */
  domains: string[];
  /** ACME_EMAIL: the account's contact (expiry and problem mail from the CA); null: none. */
  email: string | null;
  /** ACME_DIRECTORY_URL. */
  directoryUrl: string;
  /** ACME_CA_FILE: extra CA certificates (PEM) trusted for the directory's TLS only (Pebble, a private CA). */
  caFile: string | null;
}

const optional = z.string().optional().transform((value) => (value?.trim() ? value.trim() : null));
const SCHEMA = z.object({
  ACME_DOMAINS: optional.transform((value, ctx) => {
    const names: string[] = [];
    for (const entry of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const name = normaliseHostname(entry);
      if (!name) {
        const why = entry.startsWith('*.') ? ' (wildcards need DNS-01; the gateway answers HTTP-01 only)' : ' (a DNS name, no IP address, port or scheme)';
        ctx.addIssue({ code: 'custom', message: `"${entry}" is not a host name${why}` });
        return z.NEVER;
      }
      if (!names.includes(name)) names.push(name);
    }
    return names;
  }),
  ACME_EMAIL: optional.pipe(z.email({ message: 'must be an e-mail address' }).nullable()),
  ACME_DIRECTORY_URL: optional.pipe(
    z.url({ protocol: /^https$/, message: 'must be an https:// URL of an ACME directory' }).nullable(),
  ),
  ACME_CA_FILE: optional,
});

/** Null when ACME_DOMAINS is empty (no automatic certificates); throws Error with one line otherwise. */
export function readAcmeSettings(env: Readonly<NodeJS.ProcessEnv>): AcmeSettings | null {
  const parsed = SCHEMA.safeParse({
    ACME_DOMAINS: env.ACME_DOMAINS,
    ACME_EMAIL: env.ACME_EMAIL,
    ACME_DIRECTORY_URL: env.ACME_DIRECTORY_URL,
    ACME_CA_FILE: env.ACME_CA_FILE,
  });
  if (!parsed.success) throw new Error(firstIssueLine(parsed.error));
  const { ACME_DOMAINS: domains, ACME_EMAIL: email, ACME_DIRECTORY_URL: directoryUrl, ACME_CA_FILE: caFile } = parsed.data;
  if (domains.length === 0) return null;
  return { domains, email, directoryUrl: directoryUrl ?? LETS_ENCRYPT_PRODUCTION, caFile };
}
