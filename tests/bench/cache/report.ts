// The cache benchmark's table: latency percentiles, the p99 ratio to the bare
// broadcast, and resident memory per connection of the proxy and the backend.
import { renderTable } from '../lib/table.ts';

export interface RowResult {
  name: string;
  open: number;
  failed: number;
  deliveries: number;
  incompleteRounds: number;
  p50: number;
  p99: number;
  max: number;
  proxyKbPerConnection: number | null;
  backendKbPerConnection: number;
  proxyName: string | null;
  backendName: string;
}

export function renderReport(rows: RowResult[], context: { connections: number; rounds: number; workers: number; machine: string }): string {
  const bare = rows.find((row) => row.name === 'bare ws broadcast');
  const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '–');
  const kb = (value: number | null, name: string | null) => (value === null ? '–' : `${value.toFixed(1)} (${name})`);
  const table = renderTable(
    ['row', 'connections', 'deliveries', 'p50 ms', 'p99 ms', 'max ms', 'p99 / bare', 'proxy KB/conn', 'backend KB/conn'],
    rows.map((row) => [
      row.name,
      `${row.open}${row.failed ? ` (${row.failed} failed)` : ''}`,
      `${row.deliveries}${row.incompleteRounds ? ` (${row.incompleteRounds} rounds incomplete)` : ''}`,
      ms(row.p50),
      ms(row.p99),
      ms(row.max),
      bare ? `${(row.p99 / bare.p99).toFixed(2)}×` : '–',
      kb(row.proxyKbPerConnection, row.proxyName),
      kb(row.backendKbPerConnection, row.backendName),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  return [
    `${context.connections} WebSockets subscribed to one ticker, ${context.rounds} ticks (after 3 warm-up), clients in ${context.workers} worker processes`,
    context.machine,
    '',
    table,
  ].join('\n');
}
