// GET / — what the Python original answered, so fullon clients that probe the
// root to find the API keep working: service name, version, where health and the
// API and its interactive documentation live. Public, and carries nothing an
// anonymous caller should not see.
import type { LocalRoute } from '../pipeline/context.ts';

export function createRootRoute(version: string): LocalRoute {
  const body = Object.freeze({ service: 'Fullon Master API', version, docs: '/docs', health: '/health', api: '/api/v1' });
  return { method: 'GET', path: '/', auth: 'public', handle: () => ({ status: 200, body }) };
}
