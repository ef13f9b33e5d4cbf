// Entry point (`npm start`): reads settings and routes.yaml, wires auth, the
// supervisor, health and the proxy together, starts listening, and handles
// SIGHUP (reload) and SIGTERM/SIGINT (graceful shutdown). Wiring only.
import { existsSync } from 'node:fs';
import type { EdgeAuth } from './auth/types.ts';
import { createGateway } from './app.ts';
import { loadConfigFile } from './config/load.ts';
import { formatProblems } from './config/problems.ts';
import { ConfigReloader } from './config/reloader.ts';
import { readSettings } from './config/settings.ts';
import type { GatewayConfig } from './config/types.ts';
import { GatewayLifecycle } from './http/lifecycle.ts';
import { installShutdown } from './http/shutdown.ts';
import { createGatewayLogger } from './logging/logger.ts';
import type { LocalRoute } from './pipeline/context.ts';
import { syncStaticUpstreams } from './proxy/static-targets.ts';
import { UpstreamRegistry } from './upstreams/registry.ts';

if (existsSync('.env')) process.loadEnvFile('.env');
const settings = readSettings();
const logger = createGatewayLogger({ level: settings.logLevel });

const loaded = await loadConfigFile(settings.routesFile);
if (!loaded.ok) {
  logger.error({ file: settings.routesFile, errors: formatProblems(loaded.problems) }, 'invalid routes file');
  process.stderr.write(`${formatProblems(loaded.problems)}\n`);
  process.exit(1);
}
let config: GatewayConfig = loaded.config;
const lifecycle = new GatewayLifecycle();
const registry = new UpstreamRegistry();
syncStaticUpstreams(registry, config);

// --- auth (gateway/auth) -------------------------------------------------------
// Until EdgeAuth is wired here, everyone is anonymous: user/admin routes answer 401.
const auth: EdgeAuth = {
  authenticate: async () => ({ kind: 'anonymous' }),
  isAdmin: () => false,
  identityHeaders: async () => ({}),
};

// --- local routes (health, auth endpoints, services API) ------------------------
const localRoutes: LocalRoute[] = [];

// --- hooks run after a routes file was applied (supervisor.apply(config)) -------
const onConfigApplied: Array<(config: GatewayConfig) => void | Promise<void>> = [];
// --- steps run at shutdown after the listener closed (supervisor.stopAll()) ------
const shutdownSteps: Array<{ name: string; run: () => void | Promise<void> }> = [];

const gateway = createGateway({ settings, config, registry, auth, localRoutes, lifecycle, logger });

const reloader = new ConfigReloader({
  file: settings.routesFile,
  debounceMs: settings.reloadDebounceMs,
  logger,
  apply: async (next) => {
    gateway.applyConfig(next);
    syncStaticUpstreams(registry, next, config);
    config = next;
    for (const hook of onConfigApplied) await hook(next);
  },
  onReloaded: (error) => lifecycle.recordReload(error),
});
await reloader.prime();
reloader.start();
process.on('SIGHUP', () => void reloader.reload('SIGHUP'));

shutdownSteps.unshift({ name: 'reloader', run: () => reloader.close() });
installShutdown({ gateway, lifecycle, logger, graceMs: settings.shutdownGraceMs, steps: shutdownSteps });

await gateway.listen();
// --- start supervised children after the listener is up (supervisor.startAll()) --
