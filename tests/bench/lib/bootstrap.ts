// How far a statistic of repeated rounds could move by chance: a percentile
// bootstrap over the rounds. The paced benchmark's rows run one window per round,
// back to back, so a round is resampled whole (every row's window of it together),
// which keeps what one moment of the machine did to all rows alike. Seeded: a run's
// interval can be recomputed from its raw results and comes out the same.

export interface Interval {
  low: number;
  high: number;
}

export interface BootstrapOptions {
  resamples?: number;
  /** Two-sided coverage, e.g. 0.95. */
  confidence?: number;
  seed?: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 2000, confidence: 0.95, seed: 14 } as const;

/** Fewer rounds than this give no interval: a resample of 3 rounds has 10 distinct outcomes. */
export const MIN_BOOTSTRAP_ROUNDS = 5;

/**
 * The `confidence` percentile interval of `statistic` over `rounds` rounds: the
 * statistic is computed on `resamples` draws of round indices (with replacement).
 * null when there are too few rounds or the statistic is never finite.
 */
export function bootstrapInterval(rounds: number, statistic: (rounds: readonly number[]) => number, options: BootstrapOptions = {}): Interval | null {
  if (rounds < MIN_BOOTSTRAP_ROUNDS) return null;
  const { resamples, confidence, seed } = { ...BOOTSTRAP_DEFAULTS, ...options };
  const random = mulberry32(seed);
  const values: number[] = [];
  const picked = new Array<number>(rounds);
  for (let draw = 0; draw < resamples; draw++) {
    for (let i = 0; i < rounds; i++) picked[i] = Math.floor(random() * rounds);
    const value = statistic(picked);
    if (Number.isFinite(value)) values.push(value);
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return { low: quantile(values, tail), high: quantile(values, 1 - tail) };
}

/** The q-quantile of sorted values, interpolating between neighbours. */
function quantile(sorted: readonly number[], q: number): number {
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

/** A small seeded PRNG (uniform in [0, 1)): reproducible draws, no dependency. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
