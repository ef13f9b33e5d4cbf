// h2load (nghttp2-client) as the TLS benchmark's load generator: one C client
// for both protocols (HTTP/2, and HTTP/1.1 with --h1), light enough on a 2-core
// machine, and it reconnects when the server closes, which is how the handshake
// rows are made. Its summary line is parsed; failed requests are reported.
import { execFile } from 'node:child_process';
import { requireBinary } from '../lib/requirements.ts';

export interface H2loadRun {
  url: string;
  /** --h1: HTTP/1.1 over TLS (ALPN http/1.1); otherwise h2. */
  http1: boolean;
  clients: number;
  /** Concurrent streams per client (h2 only). */
  streams?: number;
  /** Total requests (-n); or durationS (-D). */
  requests?: number;
  durationS?: number;
  headers?: Record<string, string>;
}

export interface H2loadResult {
  rps: number;
  succeeded: number;
  failed: number;
  protocol: string;
}

export async function runH2load(run: H2loadRun): Promise<H2loadResult> {
  const binary = requireBinary('h2load', 'nghttp2-client');
  const args = ['-c', String(run.clients), '-t', '1'];
  if (run.http1) args.push('--h1');
  else args.push('-m', String(run.streams ?? 1));
  if (run.durationS !== undefined) args.push('-D', String(run.durationS), '--warm-up-time', '1');
  else args.push('-n', String(run.requests ?? run.clients));
  for (const [name, value] of Object.entries(run.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(run.url);
  const output = await new Promise<string>((resolve, reject) => {
    execFile(binary, args, { encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`h2load ${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
  const rps = /finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(output);
  const counts = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed/.exec(output);
  const protocol = /TLS Protocol: (\S+)/.exec(output)?.[1] ?? '?';
  if (!rps || !counts) throw new Error(`unexpected h2load output:\n${output}`);
  return { rps: Number(rps[1]), succeeded: Number(counts[1]), failed: Number(counts[2]), protocol };
}
