// Drives wrk (Debian's C load generator) with keep-alive connections. A Lua
// script sets the method, body and headers and, at the end, prints one JSON line
// with the request count, errors and latency percentiles, so nothing is parsed
// out of wrk's human-readable text. An optional fixed think time per connection
// (wrk's delay() hook) turns it into a rate-limited run for "latency at half load".
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { withPriority } from './priority.ts';
import { requireBinary } from './requirements.ts';

export interface LoadSpec {
  url: string;
  method: 'GET' | 'POST';
  bodyBytes?: number;
  headers?: Record<string, string>;
  connections: number;
  threads?: number;
  durationS: number;
  /** Mean milliseconds each connection waits after an answer before its next request (rate limiting). */
  thinkMs?: number;
  /**
   * Paced runs only: seconds every connection stays open and idle before its
   * first request, added to durationS and left out of the result. Opening a few
   * hundred connections at once is a burst of work for any proxy; without this
   * the first requests queue behind it and a short window's p99 measures that
   * burst, not the steady rate (wrk2 likewise leaves its calibration out).
   */
  warmupS?: number;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  bytesRead: number;
  /** Socket errors plus non-2xx/3xx answers. */
  errors: number;
  non2xx: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const MARKER = 'BENCH_JSON ';

export async function runWrk(spec: LoadSpec): Promise<LoadResult> {
  const wrk = requireBinary('wrk', 'wrk');
  const script = await writeScript(spec);
  const warmupS = spec.thinkMs !== undefined ? (spec.warmupS ?? 0) : 0;
  const args = [
    `-t${spec.threads ?? 1}`,
    `-c${spec.connections}`,
    `-d${Math.max(1, Math.round(spec.durationS + warmupS))}s`,
    '--timeout',
    '5s',
    '-s',
    script,
    spec.url,
  ];
  const [command, finalArgs] = withPriority(wrk, args);
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(command, finalArgs, { encoding: 'utf8', maxBuffer: 1024 * 1024 }, (error, out, err) => {
      if (error) reject(new Error(`wrk failed: ${error.message}\n${err}`));
      else resolve(out);
    });
  })
    // The script holds the row's headers (a bench token among them): gone once wrk has run.
    .finally(() => rm(dirname(script), { recursive: true, force: true }));
  const line = stdout.split('\n').find((entry) => entry.startsWith(MARKER));
  if (!line) throw new Error(`wrk printed no result line:\n${stdout}`);
  const raw = JSON.parse(line.slice(MARKER.length)) as Record<string, number>;
  // No request is sent during the warm-up, so it is not part of the rate.
  const durationS = Math.max(0, (raw.duration_us ?? 0) / 1e6 - warmupS);
  const requests = raw.requests ?? 0;
  const non2xx = raw.status ?? 0;
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : 0,
    bytesRead: raw.bytes ?? 0,
    errors: (raw.connect ?? 0) + (raw.read ?? 0) + (raw.write ?? 0) + (raw.timeout ?? 0) + non2xx,
    non2xx,
    p50Ms: (raw.p50_us ?? 0) / 1000,
    p90Ms: (raw.p90_us ?? 0) / 1000,
    p99Ms: (raw.p99_us ?? 0) / 1000,
    maxMs: (raw.max_us ?? 0) / 1000,
  };
}

async function writeScript(spec: LoadSpec): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fullon-bench-wrk-'));
  const file = join(dir, 'script.lua');
  await writeFile(file, renderScript(spec));
  return file;
}

export function renderScript(spec: LoadSpec): string {
  const lines = [`wrk.method = "${spec.method}"`];
  if (spec.bodyBytes) lines.push(`wrk.body = string.rep("x", ${spec.bodyBytes})`);
  const headers = { ...(spec.bodyBytes ? { 'Content-Type': 'application/octet-stream' } : {}), ...spec.headers };
  for (const [name, value] of Object.entries(headers)) lines.push(`wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
  if (spec.thinkMs !== undefined) {
    // Think times spread uniformly over 0.5–1.5× the mean so connections do not
    // fire in lock-step bursts; wrk's delay() takes whole milliseconds, so the
    // second random() rounds stochastically and keeps the mean exact.
    const think = `math.floor(${spec.thinkMs.toFixed(3)} * (0.5 + math.random()) + math.random())`;
    lines.push('math.randomseed(os.time())');
    const warmupMs = Math.round((spec.warmupS ?? 0) * 1000);
    if (warmupMs > 0) {
      // wrk calls delay() before every request, a connection's first included,
      // and a thread's connections make the first calls: those wait out the
      // warm-up, then start spread over one think time like the rest.
      const perThread = Math.ceil(spec.connections / (spec.threads ?? 1));
      lines.push(
        'local first = 0',
        `function delay() if first < ${perThread} then first = first + 1; return ${warmupMs} + math.floor(${spec.thinkMs.toFixed(3)} * math.random()) end; return ${think} end`,
      );
    } else {
      lines.push(`function delay() return ${think} end`);
    }
  }
  lines.push(
    'function done(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${MARKER}{"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\\n',`,
    '    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,',
    '    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))',
    'end',
  );
  return `${lines.join('\n')}\n`;
}
