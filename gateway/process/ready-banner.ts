// The one "ready" line an operator waits for: logged when /health/check first
// answers 200, with the URL, how to log in as the admin, and how long it took.
// Until then 503s from the health endpoints are expected, not errors.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Matches upstreams/orm/users/admin-bootstrap.ts INITIAL_ADMIN_PASSWORD_FILE (no imports across the edge). */
export const INITIAL_ADMIN_PASSWORD_FILE = 'initial-admin-password';

export interface ReadyWatchOptions {
  /** true once /health/check would answer 200. */
  isReady: () => boolean;
  onReady: (elapsedMs: number) => void;
  /** Called once if still not ready after slowAfterMs: say what is missing instead of staying silent. */
  onSlow?: (elapsedMs: number) => void;
  slowAfterMs?: number;
  startedAt?: number;
  pollMs?: number;
  now?: () => number;
}

/** A first start on embedded PGlite takes 10-20 s on a small machine; past this, something is wrong. */
export const SLOW_START_MS = 60_000;

/** Checks the in-memory health verdict until it is ready once (no I/O: cheap to poll). */
export function watchFirstReady(options: ReadyWatchOptions): { stop(): void } {
  const now = options.now ?? Date.now;
  const startedAt = options.startedAt ?? now();
  const slowAfterMs = options.slowAfterMs ?? SLOW_START_MS;
  let done = false;
  let warned = false;
  const check = () => {
    if (done) return;
    const elapsed = now() - startedAt;
    if (!options.isReady()) {
      if (!warned && elapsed >= slowAfterMs) {
        warned = true;
        options.onSlow?.(elapsed);
      }
      return;
    }
    done = true;
    clearInterval(timer);
    options.onReady(elapsed);
  };
  const timer = setInterval(check, options.pollMs ?? 200);
  timer.unref();
  check();
  return {
    stop() {
      done = true;
      clearInterval(timer);
    },
  };
}

export interface AdminHintOptions {
  dataDir: string;
  adminMail: string;
  adminPasswordSet: boolean;
}

/** How to log in as the admin, without ever including a password. */
export function adminHint(options: AdminHintOptions): string {
  const file = resolve(join(options.dataDir, INITIAL_ADMIN_PASSWORD_FILE));
  if (existsSync(file)) return `log in as ${options.adminMail} with the password in ${file} (generated on first start; change it, then delete the file)`;
  if (options.adminPasswordSet) return `log in as ${options.adminMail} with ADMIN_PASSWORD`;
  return `admin account: ${options.adminMail}`;
}

export function readyMessage(url: string, hint: string, elapsedMs: number): string {
  return `ready: ${url} (${(elapsedMs / 1000).toFixed(1)} s); ${hint}`;
}
