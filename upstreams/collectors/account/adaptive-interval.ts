// The account poll interval adapts to activity, as the original's "adaptive"
// account monitor did: an account whose balances or positions changed is polled
// again soon (the interval halves, down to the minimum); a quiet one less and
// less often (it doubles, up to the maximum).
export class AdaptiveInterval {
  #ms: number;
  readonly #minMs: number;
  readonly #maxMs: number;

  constructor(minMs: number, maxMs: number) {
    this.#minMs = minMs;
    this.#maxMs = Math.max(minMs, maxMs);
    this.#ms = minMs;
  }

  get ms(): number {
    return this.#ms;
  }

  changed(): number {
    this.#ms = Math.max(this.#minMs, Math.floor(this.#ms / 2));
    return this.#ms;
  }

  unchanged(): number {
    this.#ms = Math.min(this.#maxMs, this.#ms * 2);
    return this.#ms;
  }
}
