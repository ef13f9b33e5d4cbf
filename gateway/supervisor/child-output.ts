// Re-logs a child's output line into the gateway's log, tagged service=<name>:
// JSON lines (pino children) keep their level and fields, other lines become
// info (stdout) or warn (stderr) entries.
import type { Logger } from 'pino';

const PINO_LEVELS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** Fields the gateway's own logger sets again (or that would mislead next to them). */
const DROPPED_FIELDS = ['level', 'time', 'pid', 'hostname', 'msg', 'service', 'name', 'v'];

export function relogChildLine(logger: Logger, service: string, stream: 'stdout' | 'stderr', line: string): void {
  if (line.length === 0) return;
  const parsed = parseJsonObject(line);
  if (!parsed) {
    const level = stream === 'stderr' ? 'warn' : 'info';
    logger[level]({ service, stream }, line);
    return;
  }
  const level = levelOf(parsed.level);
  const fields: Record<string, unknown> = { service };
  for (const [key, value] of Object.entries(parsed)) if (!DROPPED_FIELDS.includes(key)) fields[key] = value;
  logger[level](fields, typeof parsed.msg === 'string' ? parsed.msg : '');
}

function levelOf(value: unknown): (typeof PINO_LEVELS)[number] {
  if (typeof value === 'number') return PINO_LEVELS[value] ?? 'info';
  const names = Object.values(PINO_LEVELS) as string[];
  return typeof value === 'string' && names.includes(value) ? (value as (typeof PINO_LEVELS)[number]) : 'info';
}

function parseJsonObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
