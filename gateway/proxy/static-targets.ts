// Upstreams with a fixed url and no process are not supervised: their target is
// the url and they are up until passive or active checks say otherwise. Called at
// start and after every reload; supervised upstreams are left to the supervisor.
import type { GatewayConfig } from '../config/types.ts';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';

export function syncStaticUpstreams(registry: UpstreamRegistry, config: GatewayConfig, previous: GatewayConfig | null = null): void {
  for (const upstream of config.upstreams.values()) {
    if (upstream.process !== null || upstream.url === null) continue;
    const target = new URL(upstream.url);
    const state = registry.get(upstream.name);
    if (!state || state.target?.href !== target.href) {
      registry.setTarget(upstream.name, target);
      registry.markUp(upstream.name);
    }
  }
  if (!previous) return;
  // Removed static upstreams disappear; supervised ones are the supervisor's to remove.
  for (const old of previous.upstreams.values()) {
    if (!config.upstreams.has(old.name) && old.process === null) registry.remove(old.name);
  }
}
