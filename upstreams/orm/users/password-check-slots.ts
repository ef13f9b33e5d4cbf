// Bounds how many password checks (bcrypt, cost 12: ~250 ms of CPU each) run at
// once in the orm, so a flood of logins cannot take every libuv thread and core
// from other users' requests (issue 10, "login under attack"). Checks past the
// bound wait in a FIFO queue; past the queue they are refused at once (the
// gateway answers 503 + Retry-After) instead of piling up.
import { serviceUnavailable } from '../../common/errors.ts';

export interface PasswordCheckSlotsOptions {
  /** Checks hashing at the same time. */
  concurrency: number;
  /** Checks allowed to wait for a slot. */
  maxQueued: number;
}

// One check at a time leaves the other core to everyone else on a 2-core host; a
// queue of 16 is ~4 s of checks at cost 12, under the gateway's 5 s orm timeout.
export const PASSWORD_CHECK_DEFAULTS: PasswordCheckSlotsOptions = { concurrency: 1, maxQueued: 16 };

export class PasswordCheckSlots {
  readonly #options: PasswordCheckSlotsOptions;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(options: PasswordCheckSlotsOptions = PASSWORD_CHECK_DEFAULTS) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new Error('password check concurrency must be ≥ 1');
    this.#options = options;
  }

  get running(): number {
    return this.#running;
  }

  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `check` in a slot. `gone` (the caller hung up, e.g. the gateway's timeout)
   * is looked at when the slot comes: a check nobody waits for is not hashed.
   */
  async run<T>(check: () => Promise<T>, gone?: AbortSignal): Promise<T> {
    if (this.#running >= this.#options.concurrency) {
      if (this.#waiting.length >= this.#options.maxQueued) throw serviceUnavailable('Too many logins in progress');
      // The slot is handed over by the finishing check (#running stays counted).
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      if (gone?.aborted) throw serviceUnavailable('Login abandoned by its caller');
      return await check();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}

/** PASSWORD_CHECK_CONCURRENCY / PASSWORD_CHECK_QUEUE, read once at start-up. */
export function readPasswordCheckSlots(env: NodeJS.ProcessEnv = process.env): PasswordCheckSlotsOptions {
  const read = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
    return value;
  };
  return { concurrency: read('PASSWORD_CHECK_CONCURRENCY', PASSWORD_CHECK_DEFAULTS.concurrency, 1), maxQueued: read('PASSWORD_CHECK_QUEUE', PASSWORD_CHECK_DEFAULTS.maxQueued, 0) };
}
