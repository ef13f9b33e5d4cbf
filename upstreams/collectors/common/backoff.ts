// Exponential backoff with jitter for one failing thing (an exchange, a symbol,
// an account): each failure doubles the wait up to the cap, a success resets it.
export class Backoff {
  #failures = 0;
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #random: () => number;

  constructor(initialMs: number, maxMs: number, random: () => number = Math.random) {
    this.#initialMs = initialMs;
    this.#maxMs = Math.max(initialMs, maxMs);
    this.#random = random;
  }

  get failures(): number {
    return this.#failures;
  }

  /** Records a failure; returns how long to wait before the next try. */
  fail(): number {
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#failures, 30));
    this.#failures++;
    // ±20 % so that many symbols failing together do not retry in lockstep.
    return Math.round(base * (0.8 + 0.4 * this.#random()));
  }

  succeed(): void {
    this.#failures = 0;
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
