// Admin service control (DESIGN.md "Service control") as LocalRoutes over the one
// app-wide supervisor. The core pipeline enforces `auth: 'admin'` before these run.
import type { LocalResponse, LocalRoute } from '../pipeline/context.ts';
import type { Supervisor } from '../supervisor/types.ts';
import { ServiceControlError } from '../supervisor/types.ts';

export const LOG_LINES_DEFAULT = 100;
export const LOG_LINES_MAX = 1_000;

const PREFIX = '/api/v1/services';
const DONE = { start: 'started', stop: 'stopped', restart: 'restarted' } as const;

export function createServiceRoutes(supervisor: Supervisor): LocalRoute[] {
  const control = (action: keyof typeof DONE): LocalRoute => ({
    method: 'POST',
    path: `${PREFIX}/:name/${action}`,
    auth: 'admin',
    handle: (_ctx, params) =>
      answer(async () => {
        const name = params.name ?? '';
        await supervisor[action](name);
        return { status: 200, body: { service: name, status: DONE[action] } };
      }),
  });

  return [
    {
      method: 'GET',
      path: PREFIX,
      auth: 'admin',
      handle: () => ({ status: 200, body: { services: Object.fromEntries(supervisor.names().map((name) => [name, supervisor.status(name)])) } }),
    },
    {
      method: 'GET',
      path: `${PREFIX}/:name/status`,
      auth: 'admin',
      handle: (_ctx, params) => {
        const status = supervisor.status(params.name ?? '');
        return status ? { status: 200, body: status } : notFound(params.name ?? '');
      },
    },
    control('start'),
    control('stop'),
    control('restart'),
    {
      method: 'GET',
      path: `${PREFIX}/:name/logs`,
      auth: 'admin',
      handle: (ctx, params) => {
        const name = params.name ?? '';
        const lines = parseLines(new URLSearchParams(ctx.query).get('lines'));
        if (typeof lines === 'string') return { status: 422, body: { detail: lines } };
        if (!supervisor.status(name)) return notFound(name);
        return { status: 200, body: { service: name, entries: supervisor.logs(name, lines) } };
      },
    },
  ];
}

/** `lines` must be an integer 1..1000; absent means the default. Returns the problem as text. */
export function parseLines(raw: string | null): number | string {
  if (raw === null) return LOG_LINES_DEFAULT;
  if (!/^\d{1,7}$/.test(raw)) return `lines must be an integer between 1 and ${LOG_LINES_MAX}`;
  const value = Number(raw);
  if (value < 1 || value > LOG_LINES_MAX) return `lines must be an integer between 1 and ${LOG_LINES_MAX}`;
  return value;
}

function notFound(name: string): LocalResponse {
  return { status: 404, body: { detail: `Service '${name}' not found` } };
}

async function answer(run: () => Promise<LocalResponse>): Promise<LocalResponse> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ServiceControlError) return { status: error.status, body: { detail: error.message } };
    throw error;
  }
}
