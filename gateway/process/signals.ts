// What the gateway does with the signals an operator (or a terminal, or npm) sends.
//
// SIGHUP means two things on Unix: "reload your config" (nginx, systemd's
// ExecReload) and "your terminal went away". The gateway tells them apart:
// started from a terminal (a controlling tty, e.g. `npm start` in a shell), a
// SIGHUP that arrives after that terminal is gone stops it like any foreground
// program; every other SIGHUP (kill -HUP, `npm run reload`, systemd, containers,
// setsid) reloads routes.yaml. (nohup cannot help: Node resets an ignored SIGHUP.) SIGTERM and SIGINT stop it (http/shutdown.ts).
//
// Under `npm start`, npm is the parent: npm forwards SIGINT/SIGTERM but dies on
// SIGHUP and others, which would leave the gateway running as an orphan. So when
// an npm script started it, the gateway stops as soon as its parent is gone.
import type { Logger } from 'pino';
import { hasControllingTerminal } from './terminal.ts';

export interface SignalOptions {
  logger: Logger;
  reload: (reason: string) => void;
  stop: (reason: string) => void;
  /** Whether the gateway had a controlling terminal at start (default: checked now). */
  startedFromTerminal?: boolean;
  /** Checked when SIGHUP arrives (default: /dev/tty can be opened). */
  terminalAttached?: () => boolean;
  /** Watch the parent (npm) and stop when it is gone; default: when an npm script started us. */
  watchParent?: boolean;
  parentCheckMs?: number;
}

export interface SignalHandling {
  startedFromTerminal: boolean;
  watchesParent: boolean;
  /** What a SIGHUP does now: "reload", or "stop" once the starting terminal is gone. */
  onHangup(): 'reload' | 'stop';
  close(): void;
}

export function installSignalHandling(options: SignalOptions): SignalHandling {
  const terminalAttached = options.terminalAttached ?? hasControllingTerminal;
  const startedFromTerminal = options.startedFromTerminal ?? terminalAttached();
  const onHangup = (): 'reload' | 'stop' => {
    if (startedFromTerminal && !terminalAttached()) {
      options.stop('SIGHUP: the terminal that started the gateway closed');
      return 'stop';
    }
    options.reload('SIGHUP');
    return 'reload';
  };
  const hangup = () => void onHangup();
  process.on('SIGHUP', hangup);
  // SIGUSR2 always reloads, whatever the terminal situation.
  const usr2 = () => options.reload('SIGUSR2');
  process.on('SIGUSR2', usr2);

  const watchesParent = options.watchParent ?? process.env.npm_lifecycle_event !== undefined;
  let timer: NodeJS.Timeout | null = null;
  if (watchesParent) {
    const parent = process.ppid;
    timer = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(timer!);
      options.logger.warn({ parent_pid: parent }, `the npm process that started the gateway (pid ${parent}) is gone: stopping, so no gateway is left running without it. Signal the gateway itself (pid ${process.pid}) to reload`);
      options.stop('parent exited');
    }, options.parentCheckMs ?? 500);
    timer.unref();
  }
  return {
    startedFromTerminal,
    watchesParent,
    onHangup,
    close() {
      process.off('SIGHUP', hangup);
      process.off('SIGUSR2', usr2);
      if (timer) clearInterval(timer);
    },
  };
}
