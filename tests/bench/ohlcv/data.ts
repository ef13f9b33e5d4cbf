// One year of synthetic 1-minute candles (2023: 525 600 rows) as ready-to-send
// JSON bodies of 10 000 rows, so the timed loop measures the upstream, not us.
export const YEAR_START = Date.UTC(2023, 0, 1);
export const YEAR_MINUTES = 365 * 1440;

export function buildBatches(batchSize = 10_000, minutes = YEAR_MINUTES): string[] {
  const bodies: string[] = [];
  let price = 20_000;
  for (let offset = 0; offset < minutes; offset += batchSize) {
    const candles = [];
    for (let i = offset; i < Math.min(offset + batchSize, minutes); i++) {
      const open = price;
      // Deterministic wiggle (no Math.random) so every run ingests the same data.
      const close = Math.round((open + Math.sin(i / 37) * 12 + Math.cos(i / 1013) * 3) * 100) / 100;
      const high = Math.max(open, close) + ((i * 7919) % 500) / 100;
      const low = Math.min(open, close) - ((i * 104729) % 500) / 100;
      candles.push({ timestamp: new Date(YEAR_START + i * 60_000).toISOString(), open, high, low, close, vol: ((i * 31) % 1000) / 10 });
      price = close;
    }
    bodies.push(JSON.stringify({ candles }));
  }
  return bodies;
}
