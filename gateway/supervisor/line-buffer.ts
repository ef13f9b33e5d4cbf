// Bounded ring buffer of a service's recent output, for GET /services/{name}/logs.
// Each line is kept with when it came, from which stream, and which process wrote
// it (pid and generation: the nth process started for this service), so after a
// restart the old process's last words are told apart from the new one's.
import { parseChildLine, type LevelName } from './child-output.ts';
import { SUPERVISOR_POLICY } from './policy.ts';

export interface OutputLine {
  /** Epoch ms when the gateway read the line. */
  at: number;
  stream: 'stdout' | 'stderr';
  pid: number | null;
  generation: number;
  line: string;
}

/** One entry of the logs endpoint (documented in docs/supervisor-and-health.md). */
export interface LogEntry {
  time: string;
  generation: number;
  pid: number | null;
  stream: 'stdout' | 'stderr';
  level: LevelName;
  msg: string;
  /** The line's own JSON fields (none for a plain text line). */
  fields: Record<string, unknown>;
}

export class LineBuffer {
  readonly #lines: OutputLine[] = [];
  readonly #capacity: number;

  constructor(capacity: number = SUPERVISOR_POLICY.logLines) {
    this.#capacity = capacity;
  }

  push(entry: OutputLine): void {
    const line = entry.line.length > SUPERVISOR_POLICY.maxLineLength ? `${entry.line.slice(0, SUPERVISOR_POLICY.maxLineLength)}…` : entry.line;
    this.#lines.push({ ...entry, line });
    if (this.#lines.length > this.#capacity) this.#lines.splice(0, this.#lines.length - this.#capacity);
  }

  /** The last `count` lines, oldest first, as structured entries (parsed only when asked). */
  tail(count: number): LogEntry[] {
    return count <= 0 ? [] : this.#lines.slice(-count).map(toLogEntry);
  }

  get size(): number {
    return this.#lines.length;
  }
}

export function toLogEntry(raw: OutputLine): LogEntry {
  const { level, msg, fields } = parseChildLine(raw.stream, raw.line);
  const { stream: _plain, ...own } = fields;
  return { time: new Date(raw.at).toISOString(), generation: raw.generation, pid: raw.pid, stream: raw.stream, level, msg, fields: own };
}
