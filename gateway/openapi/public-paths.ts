// Where an upstream's path is published: the route's prefix in front of what the
// route's rewrite leaves upstream (the inverse of pipeline/paths.ts rewritePath).

export interface PublishedRoute {
  prefix: string;
  /** "" strips the prefix, null keeps it, "/x" replaces it (as in routes.yaml). */
  rewrite: string | null;
}

/** The public path of an upstream path under this route, or null when the route cannot reach it. */
export function publicPathOf(upstreamPath: string, route: PublishedRoute): string | null {
  const { prefix, rewrite } = route;
  if (rewrite === null) return isUnder(upstreamPath, prefix) ? upstreamPath : null;
  const base = rewrite === '' ? '' : `/${rewrite.replace(/^\/+|\/+$/g, '')}`;
  if (base !== '' && !isUnder(upstreamPath, base)) return null;
  const rest = upstreamPath.slice(base.length);
  const root = prefix === '/' ? '' : prefix;
  return rest === '' || rest === '/' ? root || '/' : `${root}${rest}`;
}

function isUnder(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}
