// Whether this process has a controlling terminal: opening /dev/tty succeeds only
// then (ENXIO otherwise). A terminal that hangs up takes itself away from every
// process of its session before any SIGHUP is delivered, so the same test, run
// when SIGHUP arrives, tells "the terminal closed" from "someone sent kill -HUP".
import { closeSync, openSync } from 'node:fs';

export function hasControllingTerminal(): boolean {
  if (process.platform === 'win32') return false;
  try {
    closeSync(openSync('/dev/tty', 'r'));
    return true;
  } catch {
    return false;
  }
}
