// Decides when verify-api-key writes last_used_at: at most once per interval per
// key, so the hot verification path is one indexed SELECT almost always.
export class KeyUseThrottle {
  #lastWrite = new Map<number, number>();
  #intervalMs: number;
  #maxEntries: number;

  constructor(intervalMs: number, maxEntries = 10_000) {
    this.#intervalMs = intervalMs;
    this.#maxEntries = maxEntries;
  }

  /** True when the key's last_used_at should be written now (and records it). */
  shouldWrite(apiKeyId: number, now = Date.now()): boolean {
    const last = this.#lastWrite.get(apiKeyId);
    if (last !== undefined && now - last < this.#intervalMs) return false;
    // Bounded memory: forgetting entries only costs an extra write.
    if (this.#lastWrite.size >= this.#maxEntries) this.#lastWrite.clear();
    this.#lastWrite.set(apiKeyId, now);
    return true;
  }
}
