// Matches the gateway's own endpoints (LocalRoute: health, auth, services API)
// by method and path pattern ("/api/v1/services/:name/status"), before any
// proxy route. A known path with another method is a 405, not a 404.
import type { LocalRoute } from './context.ts';

interface CompiledLocal {
  route: LocalRoute;
  segments: string[];
}

export type LocalMatch = { kind: 'route'; route: LocalRoute; params: Record<string, string> } | { kind: 'method'; allow: string[] } | null;

export class LocalRouter {
  #routes: CompiledLocal[] = [];
  /** Routes by segment count: a request only looks at patterns of its own length. */
  #byLength = new Map<number, CompiledLocal[]>();
  /**
   * Every route's leading static segments, up to LEAD_SEGMENTS ("/health/check",
   * "/api/v1/services"), by how many segments they have; null when a route starts
   * with a :param. A proxied request (/api/v1/orm/...) is told apart from every
   * local route by a lookup or two, without splitting its path.
   */
  #leads: Map<number, Set<string>> | null = new Map();

  constructor(routes: readonly LocalRoute[] = []) {
    this.add(routes);
  }

  add(routes: readonly LocalRoute[]): void {
    for (const route of routes) {
      if (!route.path.startsWith('/')) throw new Error(`local route path must start with "/": ${route.path}`);
      if (this.#routes.some((r) => r.route.method === route.method && r.route.path === route.path)) throw new Error(`duplicate local route ${route.method} ${route.path}`);
      this.#routes.push({ route, segments: route.path.split('/').slice(1) });
    }
    // Static segments beat :params ("/services/logs" before "/services/:name").
    this.#routes.sort((a, b) => a.segments.filter((s) => s.startsWith(':')).length - b.segments.filter((s) => s.startsWith(':')).length);
    this.#byLength.clear();
    this.#leads = leadsOf(this.#routes);
    for (const compiled of this.#routes) {
      const list = this.#byLength.get(compiled.segments.length) ?? [];
      list.push(compiled);
      this.#byLength.set(compiled.segments.length, list);
    }
  }

  routes(): LocalRoute[] {
    return this.#routes.map((compiled) => compiled.route);
  }

  get size(): number {
    return this.#routes.length;
  }

  match(method: string, path: string): LocalMatch {
    if (this.#leads !== null && !hasLead(this.#leads, path)) return null;
    let count = 0;
    for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47 /* "/" */) count++;
    const candidates = this.#byLength.get(count);
    if (candidates === undefined) return null;
    const parts = path.split('/').slice(1);
    const allow: string[] = [];
    for (const { route, segments } of candidates) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { kind: 'route', route, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { kind: 'method', allow } : null;
  }
}

const LEAD_SEGMENTS = 3;

function leadsOf(routes: readonly CompiledLocal[]): Map<number, Set<string>> | null {
  const leads = new Map<number, Set<string>>();
  for (const { segments } of routes) {
    let count = 0;
    while (count < LEAD_SEGMENTS && count < segments.length && !segments[count]!.startsWith(':')) count++;
    if (count === 0) return null;
    const lead = `/${segments.slice(0, count).join('/')}`;
    leads.set(count, (leads.get(count) ?? new Set()).add(lead));
  }
  return leads;
}

/** Does the path start with one of the leads (whole segments only)? */
function hasLead(leads: Map<number, Set<string>>, path: string): boolean {
  for (const [count, set] of leads) {
    let end = 0;
    for (let i = 0; i < count && end !== -1; i++) end = path.indexOf('/', end + 1);
    if (set.has(end === -1 ? path : path.slice(0, end))) return true;
  }
  return false;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!;
    const got = parts[i]!;
    if (want.startsWith(':')) {
      if (got === '') return null;
      params[want.slice(1)] = got;
    } else if (want !== got) return null;
  }
  return params;
}
