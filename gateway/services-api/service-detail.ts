// A running collector's own report for GET /api/v1/services/{name}/status: its
// /health body (what it follows, which exchanges or symbols fail and when they
// are retried). Asked on the loopback with a short timeout; any failure is null.
import { request } from 'undici';
import { jsonTooDeep } from '../http/json-depth.ts';
import type { AppSupervisor } from '../supervisor/supervisor.ts';

export const DETAIL_TIMEOUT_MS = 1_000;
const MAX_DETAIL_BYTES = 256 * 1024;

export function serviceDetail(supervisor: Pick<AppSupervisor, 'kindOf' | 'baseUrlOf'>): (name: string) => Promise<Record<string, unknown> | null> {
  return async (name) => {
    if (supervisor.kindOf(name) !== 'service') return null;
    const base = supervisor.baseUrlOf(name);
    if (!base) return null;
    const response = await request(new URL('/health', base), { headersTimeout: DETAIL_TIMEOUT_MS, bodyTimeout: DETAIL_TIMEOUT_MS });
    const text = await response.body.text();
    // A child is not trusted either: a report nested too deep would break the answer's serialisation.
    if (response.statusCode !== 200 || text.length > MAX_DETAIL_BYTES || jsonTooDeep(text)) return null;
    const body = JSON.parse(text) as Record<string, unknown>;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
    const { status: _status, service: _service, ...rest } = body;
    return rest;
  };
}
