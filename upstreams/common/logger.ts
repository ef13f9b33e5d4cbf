// One pino logger per upstream process: JSON lines (the supervisor captures them
// into the gateway's log), LOG_LEVEL honoured, credentials redacted.
import { pino, type Logger } from 'pino';

/** `mixin`: fields added to every line (the collectors' cycle trace id). */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? 'info', mixin?: () => object): Logger {
  return pino({
    name: service,
    level,
    ...(mixin ? { mixin } : {}),
    base: { service },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-gateway-assertion"]', 'password', '*.password'], censor: '[redacted]' },
  });
}
