// The minimal environment a supervised child gets: a few harmless variables from
// the gateway, its routes.yaml env, the service-discovery variables and its
// identity (hop-identities.ts: public keys, plus its own service key). Nothing
// else leaks through (the gateway's JWT_SECRET_KEY and assertion key, cloud
// credentials, ...).

/** Gateway variables a child inherits when set (DESIGN.md settings it may need). */
export const INHERITED_ENV = ['PATH', 'HOME', 'NODE_ENV', 'LOG_LEVEL', 'TZ', 'DATA_DIR', 'NODE_COMPILE_CACHE', 'NODE_DISABLE_COMPILE_CACHE'] as const;

export interface ChildEnvOptions {
  name: string;
  /** The gateway's own environment. */
  gatewayEnv: NodeJS.ProcessEnv;
  /** `process.env` from routes.yaml (already interpolated). */
  configured: Record<string, string>;
  port: number | null;
  /** Known upstream base URLs by name, for UPSTREAM_<NAME>_URL. */
  upstreamUrls: Map<string, string>;
  /** GATEWAY_ASSERTION_JWKS, SERVICE_ASSERTION_PRIVATE_KEY, SERVICE_ASSERTION_JWKS (HopIdentities.envFor). */
  identity: Record<string, string>;
}

/** UPSTREAM_<NAME>_URL with the name upper-cased and anything but [A-Z0-9] turned into "_". */
export function upstreamUrlVariable(name: string): string {
  return `UPSTREAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

export function buildChildEnv(options: ChildEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_ENV) {
    const value = options.gatewayEnv[key];
    if (value !== undefined) env[key] = value;
  }
  for (const [upstream, url] of options.upstreamUrls) env[upstreamUrlVariable(upstream)] = url;
  Object.assign(env, options.configured);
  // Set last: routes.yaml cannot spoof the service's identity, port or keys.
  env.SERVICE_NAME = options.name;
  Object.assign(env, options.identity);
  if (options.port !== null) env.PORT = String(options.port);
  return env;
}
