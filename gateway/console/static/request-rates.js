// Request and error rates per upstream for the console's Metrics tab, read from the
// gateway's own Prometheus text (GET /metrics, the admin's token). Only the one
// counter is parsed; rates are differences between two scrapes, so a counter reset
// (the gateway restarted) starts the series again instead of drawing a negative rate.

const COUNTER = 'gateway_requests_total';
const LINE = /^gateway_requests_total\{([^}]*)\}\s+([0-9.eE+-]+)/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** Totals per upstream: { [upstream]: { requests, errors } }; errors are 5xx answers. */
export function requestTotals(text) {
  const totals = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(COUNTER)) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[1].matchAll(LABEL)].map(([, k, v]) => [k, v]));
    const upstream = labels.upstream || '(gateway)';
    const value = Number(match[2]);
    if (!Number.isFinite(value)) continue;
    const entry = (totals[upstream] ??= { requests: 0, errors: 0 });
    entry.requests += value;
    if (labels.status_class === '5xx') entry.errors += value;
  }
  return totals;
}

/** Keeps the last `size` samples per upstream and turns consecutive totals into per-second rates. */
export class RateHistory {
  constructor(size = 30) {
    this.size = size;
    this.previous = null;
    this.series = {};
  }

  add(totals, atMs) {
    const previous = this.previous;
    this.previous = { totals, atMs };
    if (!previous) return;
    const seconds = (atMs - previous.atMs) / 1000;
    if (seconds <= 0) return;
    for (const [upstream, now] of Object.entries(totals)) {
      const before = previous.totals[upstream] ?? { requests: 0, errors: 0 };
      const reset = now.requests < before.requests || now.errors < before.errors;
      const sample = reset ? null : { requests: (now.requests - before.requests) / seconds, errors: (now.errors - before.errors) / seconds };
      const series = (this.series[upstream] ??= []);
      if (sample) series.push(sample);
      if (series.length > this.size) series.shift();
    }
  }

  latest(upstream) {
    const series = this.series[upstream] ?? [];
    return series[series.length - 1] ?? null;
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** A small line chart of one series (built with DOM calls: nothing is parsed as markup). */
export function sparkline(values, { width = 160, height = 28, label = '' } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'spark');
  const max = Math.max(1e-9, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((value, i) => `${(i * step).toFixed(1)},${(height - 1 - (value / max) * (height - 2)).toFixed(1)}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none');
  svg.append(line);
  return svg;
}
