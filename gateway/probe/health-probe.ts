// Neutral module (imported by both supervisor and health, importing neither).
// One HTTP health probe with undici: GET url, bounded by a timeout (a hanging
// endpoint is a failure, not a hang), body parsed for the dependency reports the
// upstreams put in /health ({database|redis: {ok, latency_ms, error?}}).
import { request } from 'undici';

export interface DependencyReport {
  ok: boolean;
  latency_ms: number | null;
  error?: string;
}

export interface ProbeResult {
  /** 2xx answer. */
  ok: boolean;
  /** HTTP status, or null when no answer came (refused, reset, timeout). */
  status: number | null;
  latencyMs: number;
  /** Why it failed, without URLs or secrets. */
  error: string | null;
  /** Store reachability as the upstream reported it. */
  dependencies: Record<string, DependencyReport>;
}

export type Probe = (url: string, timeoutMs: number) => Promise<ProbeResult>;

const MAX_BODY_BYTES = 64 * 1024;
const DEPENDENCY_KEYS = ['database', 'redis'] as const;

export const probeHealth: Probe = async (url, timeoutMs) => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    // reset: a fresh connection per probe, so after a reusePort restart the probe
    // is not answered by the old process over a kept-alive socket.
    const response = await request(url, {
      method: 'GET',
      reset: true,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json', 'user-agent': 'fullon-gateway-health' },
    });
    const text = await readBounded(response.body);
    const status = response.statusCode;
    const ok = status >= 200 && status < 300;
    return { ok, status, latencyMs: elapsed(), error: ok ? null : `HTTP ${status}`, dependencies: parseDependencies(text) };
  } catch (error) {
    return { ok: false, status: null, latencyMs: elapsed(), error: describeError(error, timeoutMs), dependencies: {} };
  }
};

async function readBounded(body: AsyncIterable<Buffer> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy?.();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseDependencies(text: string): Record<string, DependencyReport> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object') return {};
  const result: Record<string, DependencyReport> = {};
  for (const key of DEPENDENCY_KEYS) {
    const value = (parsed as Record<string, unknown>)[key];
    if (!value || typeof value !== 'object') continue;
    const report = value as Record<string, unknown>;
    result[key] = {
      ok: report.ok === true,
      latency_ms: typeof report.latency_ms === 'number' ? report.latency_ms : null,
      ...(typeof report.error === 'string' ? { error: report.error.slice(0, 300) } : {}),
    };
  }
  return result;
}

function describeError(error: unknown, timeoutMs: number): string {
  const { name: errorName, code } = error as { name?: string; code?: unknown };
  // AbortSignal.timeout rejects with a DOMException whose numeric `code` means nothing here.
  const name = errorName === 'TimeoutError' || errorName === 'AbortError' || typeof code !== 'string' ? (errorName ?? 'Error') : code;
  if (name === 'TimeoutError' || name === 'UND_ERR_HEADERS_TIMEOUT' || name === 'UND_ERR_BODY_TIMEOUT' || name === 'AbortError') {
    return `timeout after ${timeoutMs} ms`;
  }
  if (name === 'ECONNREFUSED') return 'connection refused';
  if (name === 'ECONNRESET' || name === 'UND_ERR_SOCKET') return 'connection reset';
  return name;
}
