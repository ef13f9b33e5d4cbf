// The usual container mistakes, found in a Dockerfile or a compose file: floating
// base tags, running as root, no health check, secrets written in plain env.
// A hand-written check (hadolint/dclint are not npm-installable without a binary
// download); each rule is proven to fire by container-files.test.ts.

/** A secret-looking variable name. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|CREDENTIAL)/i;
/** A URL with a literal password in it (user:pass@). */
const URL_WITH_PASSWORD = /:\/\/[^/\s:@]+:([^@\s]+)@/;

/** An image reference pinned to an exact release or a digest. Postgres numbers its
 * releases major.minor (16.6), everything else here major.minor.patch; a bare
 * major (node:24, redis:7), a word (latest, lts, alpine) or no tag floats. */
export function isPinnedImage(ref: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(ref)) return true;
  const tag = /:([^/:@]+)$/.exec(ref)?.[1];
  if (!tag) return false;
  return /^v?\d+\.\d+(\.\d+)?(-[\w.-]+)?$/.test(tag);
}

/** A value is a plain secret unless it comes from elsewhere: `${VAR}` interpolation, empty, or a *_FILE path. */
function plainSecret(name: string, value: string): boolean {
  const interpolatedOnly = (text: string) => text.replace(/\$\{[^}]+\}/g, '') === '' || /^\$\{[^}]+\}$/.test(text);
  const password = URL_WITH_PASSWORD.exec(value)?.[1];
  if (password !== undefined && !/^\$\{[^}]+\}$/.test(password)) return true;
  if (!SECRET_NAME.test(name) || name.endsWith('_FILE')) return false;
  return value !== '' && !interpolatedOnly(value);
}

export function lintDockerfile(text: string): string[] {
  const problems: string[] = [];
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: string[] = [];
  let lastUser: string | null = null;
  let healthcheck = false;
  for (const line of lines) {
    const [instruction = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    switch (instruction.toUpperCase()) {
      case 'FROM': {
        const image = rest.find((word) => !word.startsWith('--')) ?? '';
        const alias = /\bAS\s+(\S+)/i.exec(args)?.[1];
        if (!stages.includes(image) && !isPinnedImage(image)) problems.push(`FROM ${image}: not pinned to an exact version or digest`);
        if (alias) stages.push(alias);
        lastUser = null; // a new stage starts as root again
        healthcheck = false;
        break;
      }
      case 'USER':
        lastUser = rest[0] ?? '';
        break;
      case 'HEALTHCHECK':
        healthcheck = !/^NONE$/i.test(args);
        break;
      case 'ENV':
      case 'ARG':
        for (const pair of args.match(/[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|\S*)/g) ?? []) {
          const [name = '', value = ''] = pair.split(/=(.*)/s);
          if (plainSecret(name, value.replace(/^"|"$/g, ''))) problems.push(`${instruction} ${name}: a secret in the image`);
        }
        break;
    }
  }
  if (lastUser === null || /^(root|0)(:|$)/.test(lastUser)) problems.push('the final stage runs as root (no USER, or USER root)');
  if (!healthcheck) problems.push('the final stage has no HEALTHCHECK');
  return problems;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  user?: string;
  healthcheck?: { test?: unknown; disable?: boolean };
  environment?: Record<string, string | number | boolean | null> | string[];
}

export function lintCompose(doc: { services?: Record<string, ComposeService> }): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(doc.services ?? {})) {
    if (service.image && !service.build && !isPinnedImage(service.image)) problems.push(`${name}: image ${service.image} is not pinned to an exact version or digest`);
    if (service.user === undefined || /^(root|0)(:|$)/.test(String(service.user))) problems.push(`${name}: runs as root (set user:)`);
    if (!service.healthcheck?.test || service.healthcheck.disable) problems.push(`${name}: no healthcheck`);
    const env = Array.isArray(service.environment)
      ? Object.fromEntries(service.environment.map((entry) => entry.split(/=(.*)/s) as [string, string]))
      : (service.environment ?? {});
    for (const [key, value] of Object.entries(env)) {
      if (plainSecret(key, String(value ?? ''))) problems.push(`${name}: ${key} holds a secret in plain text (use \${VAR} from the environment or a secrets file)`);
    }
  }
  return problems;
}
