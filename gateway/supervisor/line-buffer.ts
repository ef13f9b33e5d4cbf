// Bounded ring buffer of a service's recent output, for GET /services/{name}/logs.
// Each line is kept with when it came, from which stream, and which process wrote
// it (pid and generation: the nth process started for this service), so after a
// restart the old process's last words are told apart from the new one's. Each
// line also gets an id, increasing across every service of this process, so a
// follower of the live output (GET /api/v1/services/{name}/logs/stream) can stitch
// a snapshot and the lines pushed after it without gaps or repeats, and resume
// after the last id it got (Last-Event-ID).
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

/** A line as kept: with its id (unique and increasing within this process). */
export interface StoredLine extends OutputLine {
  id: number;
}

/** An entry with the id of its line: what a log stream sends (the id as the SSE event id). */
export interface LogRecord {
  id: number;
  entry: LogEntry;
}

/**
 * Ids of the lines read so far, by every buffer of this process. One counter for
 * all services (not one per buffer): a service removed and added back by a reload
 * gets a new buffer, and its ids must still only grow. It starts at the start
 * time in µs, so a later gateway process's ids are above every id of an earlier
 * one (unless that one wrote more than a line per µs of its life) and an id a
 * resuming client presents tells whether this process sent it.
 */
const FIRST_LINE_ID = Date.now() * 1000 + 1;
let lastLineId = FIRST_LINE_ID - 1;

/** The id of the newest line read so far (the origin before any): a snapshot's high-water mark. */
export function lastLineIdSoFar(): number {
  return lastLineId;
}

/** Whether this process gave a line that id (an id from an earlier or another gateway process is not one). */
export function isLineIdOfThisProcess(id: number): boolean {
  return id >= FIRST_LINE_ID && id <= lastLineId;
}

/** What a resuming follower gets: the lines after its last id; gap when some of them are no longer kept. */
export interface RecordsAfter {
  records: LogRecord[];
  gap: boolean;
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
  readonly #lines: StoredLine[] = [];
  readonly #capacity: number;
  /**
   * Lines up to this id are not here: written before this buffer existed (a service
   * removed and added back by a reload starts a new one), or dropped to make room.
   * A follower resuming after an older id has missed some of them.
   */
  #missingUpTo = lastLineId;

  constructor(capacity: number = SUPERVISOR_POLICY.logLines) {
    this.#capacity = capacity;
  }

  /** Keeps the line (cut at maxLineLength) and returns it as kept, with its id. */
  push(entry: OutputLine): StoredLine {
    const line = entry.line.length > SUPERVISOR_POLICY.maxLineLength ? `${entry.line.slice(0, SUPERVISOR_POLICY.maxLineLength)}…` : entry.line;
    const stored = { ...entry, line, id: ++lastLineId };
    this.#lines.push(stored);
    if (this.#lines.length > this.#capacity) this.#missingUpTo = this.#lines.splice(0, this.#lines.length - this.#capacity).at(-1)!.id;
    return stored;
  }

  /** The last `count` lines, oldest first, as structured entries (parsed only when asked). */
  tail(count: number): LogEntry[] {
    return count <= 0 ? [] : this.#lines.slice(-count).map(toLogEntry);
  }

  /** The same lines as tail(), each with its id. */
  records(count: number): LogRecord[] {
    return count <= 0 ? [] : this.#lines.slice(-count).map(toLogRecord);
  }

  /** Every kept line after the one with id `afterId`, and whether some lines after it are not here (gap). */
  recordsAfter(afterId: number): RecordsAfter {
    const first = this.#lines.findIndex((stored) => stored.id > afterId);
    return { records: first === -1 ? [] : this.#lines.slice(first).map(toLogRecord), gap: this.#missingUpTo > afterId };
  }

  get size(): number {
    return this.#lines.length;
  }
}

export function toLogRecord(stored: StoredLine): LogRecord {
  return { id: stored.id, entry: toLogEntry(stored) };
}

export function toLogEntry(raw: OutputLine): LogEntry {
  const { level, msg, fields } = parseChildLine(raw.stream, raw.line);
  const { stream: _plain, ...own } = fields;
  return { time: new Date(raw.at).toISOString(), generation: raw.generation, pid: raw.pid, stream: raw.stream, level, msg, fields: own };
}
