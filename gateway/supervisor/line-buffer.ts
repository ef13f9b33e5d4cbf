// Bounded ring buffer of a service's recent output lines, for GET /services/{name}/logs.
import { SUPERVISOR_POLICY } from './policy.ts';

export class LineBuffer {
  readonly #lines: string[] = [];
  readonly #capacity: number;

  constructor(capacity: number = SUPERVISOR_POLICY.logLines) {
    this.#capacity = capacity;
  }

  push(line: string): void {
    const cut = line.length > SUPERVISOR_POLICY.maxLineLength ? `${line.slice(0, SUPERVISOR_POLICY.maxLineLength)}…` : line;
    this.#lines.push(cut);
    if (this.#lines.length > this.#capacity) this.#lines.splice(0, this.#lines.length - this.#capacity);
  }

  /** The last `count` lines, oldest first. */
  tail(count: number): string[] {
    return count <= 0 ? [] : this.#lines.slice(-count);
  }

  get size(): number {
    return this.#lines.length;
  }
}
