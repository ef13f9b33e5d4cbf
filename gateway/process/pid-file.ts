// DATA_DIR/gateway.pid: which process to signal (`npm run reload`, `kill -HUP`).
// Written once the gateway listens (a second gateway that fails on a busy port
// must not overwrite the running one's file), removed at exit if it is still ours.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PID_FILE_NAME = 'gateway.pid';

export function pidFilePath(dataDir: string): string {
  return resolve(join(dataDir, PID_FILE_NAME));
}

/** Writes this process's pid and removes the file when the process exits. Returns the path. */
export function writePidFile(dataDir: string, pid = process.pid): string {
  const file = pidFilePath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(file, `${pid}\n`, { mode: 0o644 });
  process.once('exit', () => removePidFile(file, pid));
  return file;
}

/** Removes the file only when it still names `pid` (another gateway may have taken over). */
export function removePidFile(file: string, pid = process.pid): void {
  try {
    if (readPidFile(file) === pid) rmSync(file, { force: true });
  } catch {
    // Already gone, or unreadable: nothing of ours to remove.
  }
}

/** The pid in the file, or null when the file is missing or does not hold a pid. */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : null;
}
