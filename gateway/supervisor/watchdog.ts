// Orphan guard where util-linux setpriv is missing (macOS, minimal images): runs as
// `node watchdog.ts -- <command...>`, starts the command in its own process group
// (the supervisor's SIGTERM/SIGKILL reach both), passes its exit on, and stops it
// when the gateway goes away, noticed as a change of this process's parent.
import { spawn } from 'node:child_process';

export const WATCHDOG_POLL_MS = 500;

const separator = process.argv.indexOf('--');
const [command, ...args] = separator >= 0 ? process.argv.slice(separator + 1) : [];
if (!command) {
  process.stderr.write('usage: watchdog.ts -- <command> [args...]\n');
  process.exit(2);
}

const parent = process.ppid;
const child = spawn(command, args, { stdio: 'inherit' });
// The group signal reaches the child directly; the watchdog waits to report its exit.
const ignore = () => {};
process.on('SIGTERM', ignore);
process.on('SIGINT', ignore);

const timer = setInterval(() => {
  if (process.ppid === parent) return;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
}, WATCHDOG_POLL_MS);

child.once('error', (error) => {
  process.stderr.write(`watchdog: cannot start ${command}: ${error.message}\n`);
  process.exit(127);
});
child.once('exit', (code, signal) => {
  clearInterval(timer);
  if (signal) {
    process.off('SIGTERM', ignore);
    process.off('SIGINT', ignore);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
