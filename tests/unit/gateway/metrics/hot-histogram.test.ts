// HotPathHistogram renders exactly what prom-client's Histogram renders for the
// same observations — text, JSON and the cross-worker aggregate — so swapping it
// in changed nothing a Prometheus scrape sees.
import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotPathHistogram } from '../../../../gateway/metrics/hot-histogram.ts';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = 'gateway_request_duration_seconds';
const HELP = 'Time from arrival to the end of the answer';
const SERIES = [
  { prefix: '/api/v1/orm', upstream: 'orm_api', status_class: '2xx' },
  { prefix: '/api/v1/cache', upstream: 'cache_api', status_class: '5xx' },
];
// Bucket edges (a value equal to a bound belongs to it), zero, and one above every bucket.
const OBSERVATIONS: Array<[number, number]> = [
  [0, 0], [0, 0.001], [0, 0.0010001], [0, 0.0025], [0, 0.42], [0, 10], [0, 12.5],
  [1, 0.003], [1, 0.003], [1, 2.5],
];

function both(observations = OBSERVATIONS) {
  const reference = new Registry();
  const histogram = new Histogram({ name: NAME, help: HELP, labelNames: ['prefix', 'upstream', 'status_class'] as const, buckets: BUCKETS, registers: [reference] });
  const hot = new Registry();
  const fast = new HotPathHistogram({ name: NAME, help: HELP, buckets: BUCKETS, registers: [hot] });
  const series = SERIES.map((labels) => fast.series(labels));
  for (const [index, value] of observations) {
    histogram.labels(SERIES[index]!).observe(value);
    fast.observe(series[index]!, value);
  }
  return { reference, hot, fast, series };
}

describe('HotPathHistogram', () => {
  it('renders the same text as prom-client', async () => {
    const { reference, hot } = both();
    const text = await hot.metrics();
    expect(text).toBe(await reference.metrics());
    expect(text).toContain(`${NAME}_bucket{le="0.001",prefix="/api/v1/orm",upstream="orm_api",status_class="2xx"} 2`);
    expect(text).toContain(`${NAME}_bucket{le="+Inf",prefix="/api/v1/orm",upstream="orm_api",status_class="2xx"} 7`);
    expect(text).toContain(`${NAME}_count{prefix="/api/v1/cache",upstream="cache_api",status_class="5xx"} 3`);
  });

  it('renders the same JSON, and the same aggregate across workers', async () => {
    const one = both();
    const two = both(OBSERVATIONS.slice(2));
    expect(await one.hot.getMetricsAsJSON()).toEqual(await one.reference.getMetricsAsJSON());
    const merged = AggregatorRegistry.aggregate([await one.hot.getMetricsAsJSON(), await two.hot.getMetricsAsJSON()]);
    const mergedReference = AggregatorRegistry.aggregate([await one.reference.getMetricsAsJSON(), await two.reference.getMetricsAsJSON()]);
    expect(await merged.metrics()).toBe(await mergedReference.metrics());
  });

  it('leaves out a series nothing was observed in, and starts again from 0 after a reset', async () => {
    const { hot, fast, series } = both([[0, 0.2]]);
    expect(await hot.metrics()).not.toContain('cache_api');
    hot.resetMetrics();
    expect(await hot.metrics()).not.toContain('orm_api');
    fast.observe(series[1]!, 0.2);
    expect(await hot.metrics()).toContain(`${NAME}_count{prefix="/api/v1/cache",upstream="cache_api",status_class="5xx"} 1`);
  });
});
