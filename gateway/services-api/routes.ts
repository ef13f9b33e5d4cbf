// Admin service control (DESIGN.md "Service control") as LocalRoutes over the one
// app-wide supervisor and the gateway's virtual services (health_monitor). The
// core pipeline enforces `auth: 'admin'` before these run. A status answer keeps
// the original's fields (service, status, is_running) and adds, for a collector,
// what it reports about itself (`collector`: what it follows, what fails).
import type { LocalRoute } from '../pipeline/context.ts';
import type { ServiceStatusBody, Supervisor } from '../supervisor/types.ts';
import { errors } from '../pipeline/errors.ts';
import type { VirtualService } from './virtual-service.ts';

export interface ServiceRoutesOptions {
  virtual?: VirtualService[];
  /** A running service's own report (its /health body), or null; must not hang. */
  detail?: (name: string) => Promise<Record<string, unknown> | null>;
}

export const LOG_LINES_DEFAULT = 100;
export const LOG_LINES_MAX = 1_000;

const PREFIX = '/api/v1/services';
const DONE = { start: 'started', stop: 'stopped', restart: 'restarted' } as const;

export function createServiceRoutes(supervisor: Supervisor, options: ServiceRoutesOptions = {}): LocalRoute[] {
  const virtual = new Map((options.virtual ?? []).map((service) => [service.name, service]));
  const names = () => [...supervisor.names().filter((name) => !virtual.has(name)), ...virtual.keys()];
  const statusOf = (name: string): ServiceStatusBody | undefined => virtual.get(name)?.status() ?? supervisor.status(name);
  const control = (action: keyof typeof DONE): LocalRoute => ({
    method: 'POST',
    path: `${PREFIX}/:name/${action}`,
    auth: 'admin',
    // ServiceControlError (404/409/503) is a catalogue error: thrown through to the one writer.
    handle: async (_ctx, params) => {
      const name = params.name ?? '';
      const service = virtual.get(name);
      if (service) await service[action]();
      else await supervisor[action](name);
      return { status: 200, body: { service: name, status: DONE[action] } };
    },
  });

  return [
    {
      method: 'GET',
      path: PREFIX,
      auth: 'admin',
      handle: () => ({ status: 200, body: { services: Object.fromEntries(names().map((name) => [name, statusOf(name)])) } }),
    },
    {
      method: 'GET',
      path: `${PREFIX}/:name/status`,
      auth: 'admin',
      handle: async (_ctx, params) => {
        const name = params.name ?? '';
        const status = statusOf(name);
        if (!status) throw errors.serviceNotFound(name);
        const detail = status.is_running && !virtual.has(name) && options.detail ? await options.detail(name).catch(() => null) : null;
        return { status: 200, body: detail ? { ...status, collector: detail } : status };
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
        if (typeof lines === 'string') throw errors.invalidQuery(lines);
        if (!statusOf(name)) throw errors.serviceNotFound(name);
        return { status: 200, body: { service: name, entries: virtual.has(name) ? [] : supervisor.logs(name, lines) } };
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
