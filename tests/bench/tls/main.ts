// `npm run bench -- tls [--rounds=3] [--requests=20000] [--handshakes=300]`: HTTPS
// (issue 11 item 6). nginx and the gateway terminate TLS with the same EC P-256
// certificate, in the same run, each proxying to the same stub upstream (nginx:
// worker_processes 1, session cache and tickets on; gateway: WORKERS=1, access
// log on as both are deployed). h2load drives every row:
// - full handshakes/s: h2load clients = requests, one request each on its own new
//   connection (no session to resume): a full TLS handshake plus one proxied request;
// - resumed handshakes/s: 16 clients sending "Connection: close", so h2load
//   reconnects after every answer and resumes its TLS session (checked against
//   nginx's $ssl_session_reused: all but each client's first);
// - req/s on kept-alive connections, HTTP/1.1 (16 connections) and HTTP/2
//   (16 connections x 10 streams).
// Rows alternate nginx/gateway for `rounds` rounds; medians and gateway/nginx ratios.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatMachine, describeMachine } from '../lib/machine.ts';
import { startNginx } from '../lib/nginx.ts';
import { readNumberFlag } from '../lib/options.ts';
import { startListeningProcess, type BenchProcess } from '../lib/processes.ts';
import { requireBinary } from '../lib/requirements.ts';
import { saveResults } from '../lib/results.ts';
import { median, spread } from '../lib/stats.ts';
import { renderTable } from '../lib/table.ts';
import { runH2load, type H2loadRun } from './h2load.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..', '..');

interface Workload {
  name: string;
  run: (base: string) => H2loadRun;
}

export async function main(args: string[]): Promise<number> {
  const rounds = readNumberFlag(args, 'rounds', 3, 1);
  // Counts, not durations: h2load's -D does not end when the server closes every connection.
  const requests = readNumberFlag(args, 'requests', 20_000, 100);
  const handshakes = readNumberFlag(args, 'handshakes', 300, 10);
  const progress = (text: string) => process.stderr.write(`[tls] ${text}\n`);
  const work = await mkdtemp(join(tmpdir(), 'fullon-bench-tls-'));
  const { certFile, keyFile } = makeCertificate(work);

  const participants: BenchProcess[] = [];
  try {
    const stub = await startListeningProcess({ name: 'stub', command: process.execPath, args: [join(ROOT, 'tests', 'bench', 'gateway', 'stub-upstream.ts')] });
    participants.push(stub);
    const nginx = await startNginx({ upstreamHostPort: `127.0.0.1:${stub.port}`, locations: [{ path: '/bench/', upstreamPath: '/' }], tls: { certFile, keyFile } });
    participants.push(nginx);
    const gateway = await startGateway(work, stub.url, certFile, keyFile);
    participants.push(gateway);
    const targets = [
      { name: 'nginx', base: `https://127.0.0.1:${nginx.port}/bench` },
      { name: 'gateway', base: `https://127.0.0.1:${gateway.port}/bench` },
    ];

    const workloads: Workload[] = [
      { name: 'full handshakes/s (HTTP/1.1, new connection per request)', run: (base) => ({ url: `${base}/small`, http1: true, clients: handshakes, requests: handshakes, headers: { connection: 'close' } }) },
      { name: 'resumed handshakes/s (HTTP/1.1, new connection per request)', run: (base) => ({ url: `${base}/small`, http1: true, clients: 16, requests: Math.ceil(requests / 5), headers: { connection: 'close' } }) },
      { name: 'req/s HTTP/1.1 over TLS, kept alive (16 conns)', run: (base) => ({ url: `${base}/small`, http1: true, clients: 16, requests }) },
      { name: 'req/s HTTP/2, kept alive (16 conns x 10 streams)', run: (base) => ({ url: `${base}/small`, http1: false, clients: 16, streams: 10, requests: requests * 2 }) },
    ];

    const samples = new Map<string, number[]>();
    const failures = new Map<string, number>();
    const protocols = new Map<string, string>();
    for (let round = 1; round <= rounds; round++) {
      for (const workload of workloads) {
        // Alternate who goes first, so a drift of the shared machine hits both.
        const order = round % 2 === 1 ? targets : [...targets].reverse();
        for (const target of order) {
          const key = `${workload.name}|${target.name}`;
          const result = await runH2load(workload.run(target.base));
          samples.set(key, [...(samples.get(key) ?? []), result.rps]);
          failures.set(key, (failures.get(key) ?? 0) + result.failed);
          protocols.set(workload.name, result.protocol);
          progress(`round ${round}/${rounds} ${target.name.padEnd(7)} ${workload.name}: ${result.rps.toFixed(0)} (${result.failed} failed, ${result.protocol})`);
        }
      }
    }

    const rows = workloads.map((workload) => {
      const nginxRps = median(samples.get(`${workload.name}|nginx`)!);
      const gatewayRps = median(samples.get(`${workload.name}|gateway`)!);
      const unstable = Math.max(spread(samples.get(`${workload.name}|nginx`)!), spread(samples.get(`${workload.name}|gateway`)!));
      const failed = (failures.get(`${workload.name}|nginx`) ?? 0) + (failures.get(`${workload.name}|gateway`) ?? 0);
      return {
        workload: workload.name,
        nginx: nginxRps,
        gateway: gatewayRps,
        ratio: gatewayRps / nginxRps,
        spread: unstable,
        failed,
        protocol: protocols.get(workload.name) ?? '?',
      };
    });
    process.stdout.write(`\nHTTPS through nginx and the gateway, same certificate (EC P-256), same stub upstream; ${rounds} rounds, medians\n`);
    process.stdout.write(`${formatMachine(describeMachine())}\n\n`);
    process.stdout.write(
      renderTable(
        ['workload', 'nginx', 'gateway', 'gateway/nginx', 'spread', 'failed', 'TLS'],
        rows.map((row) => [row.workload, row.nginx.toFixed(0), row.gateway.toFixed(0), `${row.ratio.toFixed(2)}x`, `${Math.round(row.spread * 100)}%`, String(row.failed), row.protocol]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'left'],
      ),
    );
    const saved = await saveResults('tls', { rounds, requests, handshakes, rows, samples: Object.fromEntries(samples) });
    process.stdout.write(`\nraw results: ${saved}\n`);
    return rows.some((row) => row.failed > 0) ? 1 : 0;
  } finally {
    await Promise.all(participants.reverse().map((participant) => participant.stop()));
  }
}

/** One self-signed EC P-256 pair for 127.0.0.1 (openssl, as an operator would make one), used by both servers. */
function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const openssl = requireBinary('openssl');
  const certFile = join(dir, 'bench.crt');
  const keyFile = join(dir, 'bench.key');
  execFileSync(openssl, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  return { certFile, keyFile };
}

async function startGateway(work: string, stubUrl: string, certFile: string, keyFile: string): Promise<BenchProcess> {
  const routesFile = join(work, 'routes.yaml');
  await writeFile(
    routesFile,
    `# generated by tests/bench/tls/main.ts
upstreams:
  stub:
    url: ${stubUrl}
    health: { path: /health, interval: 10s, timeout: 2s }
routes:
  - { prefix: /bench, upstream: stub, rewrite: "", auth: public }
`,
  );
  const logs = join(work, 'logs');
  await mkdir(logs, { recursive: true });
  return startListeningProcess({
    name: 'gateway',
    command: process.execPath,
    args: [join(ROOT, 'gateway', 'main.ts')],
    env: {
      WORKERS: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      ROUTES_FILE: routesFile,
      DATA_DIR: join(work, 'data'),
      LOG_LEVEL: 'info',
      ACCESS_LOG: 'true',
      JWT_SECRET_KEY: randomBytes(32).toString('hex'),
      NODE_ENV: 'production',
      TLS_CERT_FILE: certFile,
      TLS_KEY_FILE: keyFile,
      SERVICE_AUTO_START_ENABLED: 'false',
      SHUTDOWN_GRACE_MS: '2000',
    },
    logFile: join(logs, 'gateway.log'),
    timeoutMs: 30_000,
  });
}
