// Fallback load generator when wrk is not installed: autocannon (a devDependency)
// in its own process. Slower than wrk (it is Node, and shares the 2 cores), so
// tables made with it say so. A think time becomes autocannon's overallRate.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPriority } from './priority.ts';
import { requirePackage } from './requirements.ts';
import type { LoadResult, LoadSpec } from './wrk.ts';

const CHILD = join(dirname(fileURLToPath(import.meta.url)), 'autocannon-child.ts');

interface AutocannonJson {
  requests: { total: number };
  duration: number;
  throughput: { total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

export async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  requirePackage('autocannon');
  const child = {
    url: spec.url,
    method: spec.method,
    body: spec.bodyBytes ? 'x'.repeat(spec.bodyBytes) : undefined,
    headers: { ...(spec.bodyBytes ? { 'content-type': 'application/octet-stream' } : {}), ...spec.headers },
    connections: spec.connections,
    durationS: Math.max(1, Math.round(spec.durationS)),
    overallRate: spec.thinkMs !== undefined && spec.thinkMs > 0 ? Math.round((spec.connections * 1000) / spec.thinkMs) : undefined,
  };
  const [command, args] = withPriority(process.execPath, [CHILD, JSON.stringify(child)]);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => {
      if (error) reject(new Error(`autocannon failed: ${error.message}\n${err}`));
      else resolve(out);
    });
  });
  const raw = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as AutocannonJson;
  const requests = raw.requests.total;
  return {
    requests,
    durationS: raw.duration,
    rps: raw.duration > 0 ? requests / raw.duration : 0,
    bytesRead: raw.throughput.total,
    errors: raw.errors + raw.timeouts + raw.non2xx,
    non2xx: raw.non2xx,
    p50Ms: raw.latency.p50,
    p90Ms: raw.latency.p90,
    p99Ms: raw.latency.p99,
    maxMs: raw.latency.max,
  };
}
