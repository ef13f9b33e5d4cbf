// Upstreams with a fixed url and no process are not supervised: their target is
// the url and they are up until passive or active checks say otherwise. Called at
// start and after every reload; supervised upstreams are left to the supervisor.
import type { GatewayConfig } from '../config/types.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';

export function syncStaticUpstreams(registry: UpstreamRegistry, config: GatewayConfig, previous: GatewayConfig | null = null): void {
  planStaticUpstreams(registry, config, previous)();
}

/**
 * Works out the registry changes (parsing every url: what can fail) and returns
 * them as one step that cannot fail, for a reload transaction
 * (config/reload-transaction.ts).
 */
export function planStaticUpstreams(registry: UpstreamRegistry, config: GatewayConfig, previous: GatewayConfig | null = null): () => void {
  const targets: Array<{ name: string; target: URL }> = [];
  for (const upstream of config.upstreams.values()) {
    if (upstream.process !== null || upstream.url === null) continue;
    targets.push({ name: upstream.name, target: new URL(upstream.url) });
  }
  // Removed static upstreams disappear; supervised ones are the supervisor's to remove.
  const removed = previous ? [...previous.upstreams.values()].filter((old) => !config.upstreams.has(old.name) && old.process === null).map((old) => old.name) : [];
  return () => {
    // A new target starts without a health verdict (the registry's rule): up until checks say otherwise.
    for (const { name, target } of targets) {
      const state = registry.get(name);
      if (!state || state.target?.href !== target.href) registry.setTarget(name, target);
    }
    for (const name of removed) registry.remove(name);
  };
}
