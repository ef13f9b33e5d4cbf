// Entry point (`npm start`): reads .env, settings and routes.yaml, wires auth, the
// supervisor, health and the proxy together, starts listening, writes
// DATA_DIR/gateway.pid, and handles signals (process/signals.ts: SIGHUP reload or
// terminal hang-up, SIGTERM/SIGINT graceful shutdown). Wiring only.
import { Redis } from 'ioredis';
import { createAuthRoutes } from './auth/auth-routes.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { AssertionKeyConfigError, loadGatewayAssertionKey, type GatewayAssertionKey } from './auth/assertion-key.ts';
import { createEdgeAuth } from './auth/edge-auth.ts';
import { RevocationBus } from './auth/revocation-bus.ts';
import type { Invalidation } from './auth/invalidation.ts';
import { OrmRevocationFeed } from './auth/orm-revocation-feed.ts';
import { AuthSettingsError } from './auth/settings.ts';
import { createWebSocketExpiry } from './auth/ws-expiry.ts';
import { createGateway } from './app.ts';
import { createHealthMonitor } from './health/monitor.ts';
import { createHealthRoutes } from './health/routes.ts';
import { autostartFilter } from './services-api/autostart.ts';
import { createServiceRoutes } from './services-api/routes.ts';
import { serviceDetail } from './services-api/service-detail.ts';
import { healthMonitorService } from './services-api/virtual-service.ts';
import { HopIdentities } from './supervisor/hop-identities.ts';
import { createSupervisor } from './supervisor/supervisor.ts';
import { EnvFileError, loadEnvFile } from './config/env-file.ts';
import { loadConfigFile } from './config/load.ts';
import { formatProblems } from './config/problems.ts';
import { createConsoleRoutes } from './console/routes.ts';
import { createGatewayMetrics } from './metrics/gateway-metrics.ts';
import { createMetricsRoute } from './metrics/metrics-route.ts';
import { ConfigReloader } from './config/reloader.ts';
import { reloadTransaction } from './config/reload-transaction.ts';
import { SettingsError } from './config/settings.ts';
import { readProcessSettings, type ProcessSettings } from './config/process-settings.ts';
import type { GatewayConfig } from './config/types.ts';
import { GatewayLifecycle } from './http/lifecycle.ts';
import { createRootRoute } from './http/root-route.ts';
import { installShutdown } from './http/shutdown.ts';
import { readGatewayVersion } from './http/version.ts';
import { createOpenApiRoutes } from './openapi/routes.ts';
import { UpstreamDocuments } from './openapi/upstream-documents.ts';
import { createGatewayLogger } from './logging/logger.ts';
import type { LocalRoute } from './pipeline/context.ts';
import { planStaticUpstreams, syncStaticUpstreams } from './proxy/static-targets.ts';
import { closeSocket } from './proxy/ws-close.ts';
import { UpstreamRegistry } from './registry/upstream-registry.ts';
import { applyFullonEnvFallbacks, FullonEnvError, type AppliedFallback } from './config/fullon-env.ts';
import { writePidFile } from './process/pid-file.ts';
import { adminHint, readyMessage, watchFirstReady } from './process/ready-banner.ts';
import { installSignalHandling } from './process/signals.ts';
import { explainListenError, explainUnreadableRoutesFile } from './process/startup-failure.ts';
import { failingChecks } from './health/verdicts.ts';

const startedAt = Date.now();
let envFile: string | null = null;
try {
  envFile = loadEnvFile();
} catch (error) {
  if (!(error instanceof EnvFileError)) throw error;
  failStart(error.message);
}
// The original fullon names (DB_HOST..., REDIS_HOST...) as fallbacks: the URLs are
// built here, once, before routes.yaml passes them to the children.
let fullonFallbacks: AppliedFallback[] = [];
try {
  fullonFallbacks = applyFullonEnvFallbacks();
} catch (error) {
  if (!(error instanceof FullonEnvError)) throw error;
  failStart(error.message);
}
// Every setting, read once from this snapshot of the environment and passed down.
let processSettings: ProcessSettings;
try {
  processSettings = readProcessSettings(process.env);
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  failStart(error.message);
}
const settings = processSettings.gateway;
const logger = createGatewayLogger({ level: settings.logLevel });
logger.info({ pid: process.pid, env_file: envFile, routes_file: settings.routesFile, data_dir: settings.dataDir }, `starting (pid ${process.pid})`);
for (const fallback of fullonFallbacks) logger.info({ variable: fallback.name, from: fallback.from }, `${fallback.name} built from the original fullon settings`);
for (const warning of processSettings.authWarnings) logger.warn({ capability: 'auth' }, warning);

const loaded = await loadConfigFile(settings.routesFile, processSettings.env);
if (!loaded.ok) {
  const unreadable = explainUnreadableRoutesFile(settings.routesFile, loaded.problems);
  if (unreadable) {
    logger.fatal(unreadable);
    process.exit(1);
  }
  logger.error({ file: settings.routesFile, errors: formatProblems(loaded.problems) }, 'invalid routes file');
  process.stderr.write(`${formatProblems(loaded.problems)}\n`);
  process.exit(1);
}
let config: GatewayConfig = loaded.config;
const lifecycle = new GatewayLifecycle();
const registry = new UpstreamRegistry();
syncStaticUpstreams(registry, config);

// --- per-hop identities (docs/threat-model.md) -----------------------------------
// The gateway alone holds its Ed25519 assertion key; children get the public half
// and a key pair of their own. External upstreams must keep trusting the key
// across restarts, so with one configured the key lives in DATA_DIR/keys.
let assertionKey: GatewayAssertionKey;
try {
  assertionKey = loadGatewayAssertionKey({ env: processSettings.env, dataDir: settings.dataDir, persist: [...config.upstreams.values()].some((upstream) => !upstream.process) });
} catch (error) {
  if (!(error instanceof AssertionKeyConfigError)) throw error;
  failStart(error.message);
}
logger.info({ kid: assertionKey.kid, source: assertionKey.source, previous: assertionKey.jwks.keys[1]?.kid ?? null }, 'gateway assertion key');
const identities = new HopIdentities({ gatewayJwks: assertionKey.jwks, externalServiceJwks: processSettings.externalServiceJwks });

// --- auth (gateway/auth) -------------------------------------------------------
// The user-token secret is resolved in auth/jwt-secret.ts (random for this run in
// development without JWT_SECRET_KEY; production refuses to start without one).
// A bad secret or key file (AuthSettingsError) stops the gateway before it listens.
const auth = await createEdgeAuth({ settings: processSettings.auth, registry, logger, assertionKey }).catch((error: unknown) => {
  if (!(error instanceof AuthSettingsError)) throw error;
  logger.fatal({ code: error.code }, error.message);
  process.exit(1);
});
const webSocketExpiry = createWebSocketExpiry(closeSocket);
// Revocation events from elsewhere (replicas, the orm's stream) reach the gateway
// once it exists; before that there is nothing but the auth caches to clear.
let applyRevocation: (items: Invalidation[]) => void = (items) => auth.invalidate(items);
// Revocations reach the other replicas over Redis pub/sub when there is a Redis.
const { redisUrl } = processSettings;
const revocationBus = redisUrl
  ? new RevocationBus({ redisUrl, channel: processSettings.revocationChannel ?? undefined, onRemote: (items) => applyRevocation(items), logger })
  : null;

// --- local routes (health, auth endpoints, services API) ------------------------
// Failed-login counters live in Redis when there is one, so every replica refuses alike.
const loginThrottleRedis = redisUrl ? new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
loginThrottleRedis?.on('error', (error: Error) => logger.debug({ err: error.message }, 'login throttle redis error'));
const loginThrottle = new LoginThrottle({ settings: processSettings.loginThrottle, redis: loginThrottleRedis ?? undefined });
const localRoutes: LocalRoute[] = [createRootRoute(readGatewayVersion()), ...createAuthRoutes(auth, { throttle: loginThrottle, trustedProxies: settings.trustedProxies })];

// --- steps run at shutdown after the listener closed (supervisor.stopAll()) ------
const shutdownSteps: Array<{ name: string; run: () => void | Promise<void> }> = [];

// --- supervisor and health monitor (one app-wide instance each) ------------------
const supervisor = createSupervisor({ registry, logger, env: processSettings.env, identities, autostart: autostartFilter(processSettings.autostart) });
await supervisor.apply(config);
const monitor = createHealthMonitor({ supervisor, registry, lifecycle, logger, settings: processSettings.health });
monitor.apply(config);
localRoutes.push(...createHealthRoutes({ monitor, supervisor, registry, lifecycle }), ...createServiceRoutes(supervisor, { virtual: [healthMonitorService(monitor)], detail: serviceDetail(supervisor) }));
shutdownSteps.push({ name: 'health monitor', run: () => monitor.stop() }, { name: 'supervisor', run: () => supervisor.stopAll() });
if (revocationBus) shutdownSteps.push({ name: 'revocation bus', run: () => revocationBus.close() });
if (loginThrottleRedis) shutdownSteps.push({ name: 'login throttle', run: () => void loginThrottleRedis.disconnect() });
// Revocations made through any gateway sharing the orm, pushed by the orm itself.
const revocationFeed = new OrmRevocationFeed({
  registry,
  upstream: auth.settings.authUpstream,
  signer: auth.signer,
  onEvent: (items) => applyRevocation(items),
  onResubscribed: () => auth.forgetAll(),
  logger,
});
shutdownSteps.unshift({ name: 'revocation feed', run: () => revocationFeed.close() });

// One metrics registry for this process (gateway/metrics: where a primary would aggregate workers).
const metrics = createGatewayMetrics();
metrics.markConfigLoaded();
localRoutes.push(createMetricsRoute(metrics, (user) => auth.isAdmin(user)));
const gateway = createGateway({
  settings,
  config,
  registry,
  auth,
  localRoutes,
  lifecycle,
  logger,
  metrics,
  onWebSocketOpen: (ctx) => webSocketExpiry.onOpen(ctx),
  onWebSocketClose: (ctx) => webSocketExpiry.onClose(ctx),
  onAuthInvalidation: (items) => revocationBus?.publish(items),
});
applyRevocation = (items) => gateway.revoke(items);
// Read at scrape time only: nothing of this runs per request.
metrics.setSources({
  webSockets: () => gateway.webSockets().size,
  upstreams: () => registry.all().map((upstream) => ({ name: upstream.name, up: upstream.availability === 'up' })),
  services: () => supervisor.names().flatMap((name) => {
    const status = supervisor.status(name);
    return status ? [{ name, state: status.status, restarts: status.restarts }] : [];
  }),
});
// --- OpenAPI: the merged document at /openapi.json and Swagger UI at /docs ------
gateway.addLocalRoutes(
  createOpenApiRoutes({
    documents: new UpstreamDocuments({ registry, signer: auth.signer }),
    config: () => gateway.currentConfig(),
    localRoutes: () => gateway.localRoutes(),
    version: readGatewayVersion(),
  }),
);
// --- the admin console at /console (static page; data through the admin APIs) ---
gateway.addLocalRoutes(createConsoleRoutes({ config: () => gateway.currentConfig(), lifecycle }));

const reloader = new ConfigReloader({
  file: settings.routesFile,
  env: processSettings.env,
  debounceMs: settings.reloadDebounceMs,
  logger,
  // One transaction: every part is built first (route table, registry plan, ports),
  // then committed in this order; a failure while building leaves all of it as it was.
  apply: reloadTransaction([
    { name: 'route table', prepare: (next) => gateway.prepareConfig(next) },
    { name: 'static upstreams', prepare: (next) => planStaticUpstreams(registry, next, config) },
    { name: 'supervisor', prepare: (next) => supervisor.prepare(next) },
    { name: 'health monitor', prepare: (next) => () => monitor.apply(next) },
    { name: 'running config', prepare: (next) => () => void (config = next) },
  ]),
  onReloaded: (error, _config, locations) => {
    metrics.recordReload(error);
    lifecycle.recordReload(error, locations);
  },
});
await reloader.prime();
reloader.start();

shutdownSteps.unshift({ name: 'reloader', run: () => reloader.close() });
const shutdown = installShutdown({ gateway, lifecycle, logger, graceMs: settings.shutdownGraceMs, steps: shutdownSteps });
const signals = installSignalHandling({ logger, reload: (reason) => void reloader.reload(reason), stop: (reason) => void shutdown(reason) });

let port: number;
try {
  port = await gateway.listen();
} catch (error) {
  const explained = explainListenError(error, settings.host, settings.port);
  if (!explained) throw error;
  logger.fatal({ code: (error as { code?: string }).code }, explained);
  logger.flush?.();
  process.exit(1);
}
const pidFile = writePidFile(settings.dataDir);
logger.info(
  { pid: process.pid, pid_file: pidFile, hangup: signals.startedFromTerminal ? 'stops when this terminal closes; kill -HUP reloads' : 'reloads' },
  `gateway pid ${process.pid} (written to ${pidFile}): \`npm run reload\` or \`kill -HUP ${process.pid}\` reloads routes.yaml, \`kill ${process.pid}\` stops`,
);

// --- the one "ready" line, when /health/check first turns 200 -------------------
const publicUrl = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
watchFirstReady({
  startedAt,
  isReady: () => Object.keys(failingChecks(monitor.targets(), { supervisor, registry }, lifecycle)).length === 0,
  onSlow: (elapsedMs) => {
    const failing = failingChecks(monitor.targets(), { supervisor, registry }, lifecycle);
    const what = Object.entries(failing).map(([name, reason]) => `${name}: ${reason}`).join('; ');
    logger.warn({ elapsed_ms: elapsedMs, failing }, `not ready after ${Math.round(elapsedMs / 1000)} s: ${what}; see that service's lines above, or GET /api/v1/services/<name>/logs`);
  },
  onReady: (elapsedMs) => {
    lifecycle.markReady();
    const hint = adminHint({ dataDir: settings.dataDir, ...processSettings.firstRun });
    logger.info({ url: publicUrl, elapsed_ms: elapsedMs }, readyMessage(publicUrl, hint, elapsedMs));
  },
});

// --- start supervised children after the listener is up (supervisor.startAll()) --
monitor.start();
await supervisor.startAll();
revocationFeed.start();

/** A start-up problem the operator can fix: one line on stderr, exit 1, no stack trace. */
function failStart(message: string): never {
  process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), name: 'gateway', service: 'gateway', pid: process.pid, msg: message })}\n`);
  process.exit(1);
}
