// Child process for the autocannon fallback: runs one autocannon load from a JSON
// spec (argv[2]) and prints its result as one JSON line. A separate process so
// the load generator never shares an event loop with the bench orchestrator.
import autocannon from 'autocannon';

interface ChildSpec {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers: Record<string, string>;
  connections: number;
  durationS: number;
  overallRate?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ChildSpec;
const result = await autocannon({
  url: spec.url,
  method: spec.method,
  body: spec.body,
  headers: spec.headers,
  connections: spec.connections,
  duration: spec.durationS,
  overallRate: spec.overallRate,
});
process.stdout.write(`${JSON.stringify(result)}\n`);
