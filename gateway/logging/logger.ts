// The gateway's pino logger: JSON lines (what the example runner, tests and log
// shippers read), pretty-printed only when stdout is a terminal.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export interface LoggerOptions {
  level?: string;
  /** Default: stdout is a TTY. */
  pretty?: boolean;
  /** Where JSON lines go (tests pass a sink). */
  destination?: NodeJS.WritableStream;
}

export function createGatewayLogger(options: LoggerOptions = {}): Logger {
  const base = {
    name: 'gateway',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'gateway' },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', 'password', '*.password'], censor: '[redacted]' },
  };
  const usePretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  if (usePretty) return pino(base, pretty({ colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' }));
  if (options.destination) return pino(base, options.destination);
  return pino(base);
}
