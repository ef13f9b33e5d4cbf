// A child's output line, understood once: JSON lines (pino children) keep their
// level, message and fields, other lines become info (stdout) or warn (stderr).
// Used to re-log the line into the gateway's log, tagged with the child's service
// and pid, and to answer GET /api/v1/services/{name}/logs with structured entries.
import type { Logger } from 'pino';

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

const PINO_LEVELS: Record<number, LevelName> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
/** Fields the entry carries itself (or that would mislead next to them). */
const DROPPED_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'service', 'name', 'v']);

export interface ParsedChildLine {
  level: LevelName;
  msg: string;
  /** The line's other JSON fields; `{stream}` for a plain text line. */
  fields: Record<string, unknown>;
}

export function parseChildLine(stream: 'stdout' | 'stderr', line: string): ParsedChildLine {
  const parsed = parseJsonObject(line);
  if (!parsed) return { level: stream === 'stderr' ? 'warn' : 'info', msg: line, fields: { stream } };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) if (!DROPPED_FIELDS.has(key)) fields[key] = value;
  return { level: levelOf(parsed.level), msg: typeof parsed.msg === 'string' ? parsed.msg : '', fields };
}

/** Writes the line into the gateway's log as the child's: `service` and `pid` are the child's. */
export function relogChildLine(logger: Logger, service: string, stream: 'stdout' | 'stderr', line: string, pid: number | null = null): void {
  if (line.length === 0) return;
  const { level, msg, fields } = parseChildLine(stream, line);
  logger[level]({ ...fields, service, ...(pid === null ? {} : { pid }) }, msg);
}

function levelOf(value: unknown): LevelName {
  if (typeof value === 'number') return PINO_LEVELS[value] ?? 'info';
  const names = Object.values(PINO_LEVELS) as string[];
  return typeof value === 'string' && names.includes(value) ? (value as LevelName) : 'info';
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
