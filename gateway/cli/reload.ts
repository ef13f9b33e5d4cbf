// `npm run reload`: asks the running gateway to re-read routes.yaml, by sending
// SIGHUP to the pid in DATA_DIR/gateway.pid (DATA_DIR from the environment or
// .env, as the gateway reads it). Refuses to signal a pid that is not a gateway.
import { readFileSync } from 'node:fs';
import { loadEnvFile } from '../config/env-file.ts';
import { SETTINGS_DEFAULTS } from '../config/settings.ts';
import { pidFilePath, readPidFile } from '../process/pid-file.ts';

export type ReloadOutcome = { ok: true; pid: number } | { ok: false; message: string };

export function sendReload(dataDir: string, signal: NodeJS.Signals = 'SIGHUP'): ReloadOutcome {
  const file = pidFilePath(dataDir);
  const pid = readPidFile(file);
  if (pid === null) return { ok: false, message: `no gateway pid in ${file}: is the gateway running with DATA_DIR=${dataDir}?` };
  if (!isGateway(pid)) return { ok: false, message: `pid ${pid} from ${file} is not a running gateway (a stale file?): start the gateway, or remove the file` };
  try {
    process.kill(pid, signal);
  } catch (error) {
    return { ok: false, message: `could not signal pid ${pid}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  return { ok: true, pid };
}

/** The process exists and runs gateway/main.ts (a pid file can outlive its process, and pids are reused). */
function isGateway(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.endsWith('gateway/main.ts'));
  } catch {
    // No /proc (not Linux): trust the pid file.
    return process.platform !== 'linux';
  }
}

if (import.meta.main) {
  loadEnvFile();
  const dataDir = process.env.DATA_DIR || SETTINGS_DEFAULTS.DATA_DIR;
  const outcome = sendReload(dataDir);
  if (outcome.ok) console.log(`reload sent to the gateway (pid ${outcome.pid}); its log says "routes reloaded", or why the file was refused`);
  else console.error(outcome.message);
  process.exitCode = outcome.ok ? 0 : 1;
}
