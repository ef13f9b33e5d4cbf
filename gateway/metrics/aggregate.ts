// The gateway's metrics across its workers (issue 17 item 1): each worker keeps
// its own prom-client registry (the request path never crosses processes); at
// scrape time the primary asks every serving worker for its registry as JSON and
// merges them with prom-client's AggregatorRegistry.aggregate, which sums each
// series unless the metric says otherwise (gateway-metrics.ts marks what every
// worker learns from the primary — upstream state, reloads, restarts — so that it
// is not counted once per worker).
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

export type MetricsSnapshot = Array<MetricObjectWithValues<MetricValue<string>>>;

export async function aggregateMetrics(snapshots: readonly MetricsSnapshot[]): Promise<string> {
  if (snapshots.length === 0) return '';
  return AggregatorRegistry.aggregate(snapshots as MetricsSnapshot[]).metrics();
}
