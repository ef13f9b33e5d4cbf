// A histogram for the request path: each series is a plain array of bucket counts,
// a sum and a count, so an observation is a few comparisons and three additions.
// prom-client's Histogram builds a key from the labels, validates them and looks
// its bucket up by a number-keyed property on every observe(): ~1 µs per request,
// with its counter's inc() a share of the gateway's CPU per paced request that
// showed in --cpu-prof (docs/benchmarks.md). prom-client still renders and
// aggregates it: get() answers in the shape its Histogram's does (the unit test
// compares the two renderings), which its Registry and AggregatorRegistry read.
import type { Metric, Registry } from 'prom-client';

export interface HistogramSeries {
  readonly labels: Readonly<Record<string, string>>;
  /** counts[i]: observations ≤ buckets[i] and above the bucket before; the last slot: above every bucket. */
  readonly counts: number[];
  sum: number;
  count: number;
}

/** One rendered sample: what prom-client's metrics return from get() (its typings name the type an enum; at run time it is the string). */
export interface HistogramSample {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
  /** Buckets carry prom-client's "no exemplar" (null). */
  exemplar?: null;
}

export interface HotPathHistogramOptions {
  name: string;
  help: string;
  /** Upper bounds, ascending. */
  buckets: readonly number[];
  registers: Registry[];
}

export class HotPathHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly #buckets: readonly number[];
  readonly #series: HistogramSeries[] = [];

  constructor(options: HotPathHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.#buckets = [...options.buckets];
    // Registry reads name, help, type, aggregator, get() and reset(): the metric interface prom-client's own metrics share.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** A new series for these labels (callers keep it: there is no lookup by labels on the hot path). */
  series(labels: Record<string, string>): HistogramSeries {
    const series: HistogramSeries = { labels: { ...labels }, counts: new Array<number>(this.#buckets.length + 1).fill(0), sum: 0, count: 0 };
    this.#series.push(series);
    return series;
  }

  observe(series: HistogramSeries, value: number): void {
    const buckets = this.#buckets;
    let index = 0;
    while (index < buckets.length && value > buckets[index]!) index++;
    series.counts[index]!++;
    series.sum += value;
    series.count++;
  }

  /** The series observed so far, as prom-client's Histogram.get() renders them (cumulative buckets, +Inf, _sum, _count). */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; aggregator: 'sum'; values: HistogramSample[] }> {
    const values: HistogramSample[] = [];
    for (const series of this.#series) {
      // Like prom-client: a series appears once it has been observed.
      if (series.count === 0) continue;
      let cumulative = 0;
      this.#buckets.forEach((bound, index) => {
        cumulative += series.counts[index]!;
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${this.name}_bucket`, exemplar: null });
      });
      values.push({ labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${this.name}_bucket`, exemplar: null });
      values.push({ labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const series of this.#series) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
