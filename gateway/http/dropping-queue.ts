// A first-in first-out queue of text chunks bounded by bytes: a chunk that
// does not fit pushes the oldest ones out, and the queue counts what it dropped,
// so the reader can be told "N skipped" where the gap is. What a slow reader of a
// live feed wants is the newest data and an honest gap, and the writer's memory
// must not grow with the reader's slowness.

export class DroppingQueue {
  readonly #maxBytes: number;
  #chunks: Array<{ text: string; bytes: number }> = [];
  #head = 0;
  #bytes = 0;
  #dropped = 0;

  constructor(maxBytes: number) {
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new Error(`DroppingQueue needs a positive byte limit, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
  }

  /** Queues the chunk, dropping the oldest to make room; a chunk larger than the whole limit is dropped itself. */
  push(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (bytes > this.#maxBytes) {
      this.#dropped++;
      return;
    }
    while (this.#bytes + bytes > this.#maxBytes) this.#dropOldest();
    this.#chunks.push({ text, bytes });
    this.#bytes += bytes;
  }

  /** The oldest chunk, or undefined when empty. */
  shift(): string | undefined {
    if (this.#head === this.#chunks.length) return undefined;
    const chunk = this.#chunks[this.#head++]!;
    this.#bytes -= chunk.bytes;
    this.#compact();
    return chunk.text;
  }

  /** How many chunks were dropped since the last call (and resets the count). */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }

  get length(): number {
    return this.#chunks.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  #dropOldest(): void {
    const chunk = this.#chunks[this.#head++]!;
    this.#bytes -= chunk.bytes;
    this.#dropped++;
    this.#compact();
  }

  /** Forget consumed slots now and then, so a long-lived queue does not keep them. */
  #compact(): void {
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }
}
