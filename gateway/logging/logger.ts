// The gateway's pino logger: JSON lines (what the example runner, tests and log
// shippers read), pretty-printed only when stdout is a terminal.
//
// Every line carries exactly one `service` and one `pid`: the gateway's own, or,
// for a supervised child's line re-logged by the supervisor, the child's (the
// fields a call passes win over the defaults, so a key is never written twice,
// which pino's `base` bindings would do).
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { createBatchedDestination } from './batched-stdout.ts';

export interface LoggerOptions {
  level?: string;
  /** Default: stdout is a TTY. */
  pretty?: boolean;
  /** Where JSON lines go (tests pass a sink). */
  destination?: NodeJS.WritableStream;
}

const GATEWAY = 'gateway';

export function createGatewayLogger(options: LoggerOptions = {}): Logger {
  const defaults = { service: GATEWAY, pid: process.pid };
  const base = {
    name: GATEWAY,
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    // Only `name` as a base binding: service and pid come from the mixin, where a
    // call's own fields win (pino's default base would add the gateway's pid to every line).
    base: {},
    mixin: () => defaults,
    mixinMergeStrategy: (call: object, mixin: object) => ({ ...mixin, ...call }),
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'password', '*.password'], censor: '[redacted]' },
  };
  const usePretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  if (usePretty) return pino(base, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service,name', messageFormat: formatTerminalLine, destination: terminalSink() }));
  if (options.destination) return pino(base, options.destination);
  return pino(base, createBatchedDestination());
}

/** Terminal form of a line: `orm_api[4242] listening`, so every line says who wrote it. */
export function formatTerminalLine(log: Record<string, unknown>, messageKey: string): string {
  const service = typeof log.service === 'string' ? log.service : GATEWAY;
  const pid = typeof log.pid === 'number' ? `[${log.pid}]` : '';
  const message = log[messageKey];
  return `${service}${pid} ${typeof message === 'string' ? message : ''}`;
}

/**
 * The terminal as a log destination that survives the terminal going away: once
 * it hangs up, writes fail with EIO, and the gateway must still shut down
 * cleanly (process/signals.ts) instead of crashing on its own log lines.
 */
function terminalSink(out: NodeJS.WriteStream = process.stdout): Writable {
  let gone = false;
  out.on('error', () => {
    gone = true;
  });
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!gone) {
        try {
          out.write(chunk);
        } catch {
          gone = true;
        }
      }
      done();
    },
  });
}
