// The monitor's node-cron expression for an interval in seconds (node-cron
// supports a leading seconds field). Intervals that do not divide a minute or an
// hour evenly are rounded so each tick comes at a steady cadence.

export function cronExpressionFor(intervalSeconds: number): string {
  const seconds = Math.max(1, Math.round(intervalSeconds));
  if (seconds < 60) return `*/${nearestDivisor(seconds, 60)} * * * * *`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `0 */${nearestDivisor(minutes, 60)} * * * *`;
  const hours = Math.min(24, Math.round(minutes / 60));
  return `0 0 */${nearestDivisor(hours, 24)} * * *`;
}

/** The divisor of `whole` closest to `value` (ties: the smaller one, checking more often). */
function nearestDivisor(value: number, whole: number): number {
  let best = 1;
  for (let candidate = 1; candidate <= whole; candidate++) {
    if (whole % candidate !== 0) continue;
    if (Math.abs(candidate - value) < Math.abs(best - value)) best = candidate;
  }
  return best;
}

/** Seconds between ticks of an expression made by cronExpressionFor. */
export function tickSecondsOf(expression: string): number {
  const [second, minute, hour] = expression.split(' ');
  const step = (field: string | undefined) => Number(field?.split('/')[1] ?? 1);
  if (second?.startsWith('*/')) return step(second);
  if (minute?.startsWith('*/')) return step(minute) * 60;
  return step(hour) * 3_600;
}
