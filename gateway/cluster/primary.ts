// The gateway's primary process (`npm start` runs it; gateway/main.ts): reads .env,
// the settings and routes.yaml, owns every fact that must exist once — the config
// and its reloads, the supervisor and its children, the health monitor, the
// services API's state, the login counts, the revocation feeds, the pid file and
// the signals — and runs WORKERS data-plane workers (gateway/cluster/worker.ts)
// that share the listener. Wiring only; the pool is gateway/cluster/worker-pool.ts.
import { Redis } from 'ioredis';
import { AssertionKeyConfigError, loadGatewayAssertionKey, type GatewayAssertionKey } from '../auth/assertion-key.ts';
import { AssertionSigner } from '../auth/assertion-signer.ts';
import { LoginThrottle } from '../auth/login-throttle.ts';
import { RevocationBus } from '../auth/revocation-bus.ts';
import type { Invalidation } from '../auth/invalidation.ts';
import { OrmRevocationFeed } from '../auth/orm-revocation-feed.ts';
import { createHealthMonitor } from '../health/monitor.ts';
import { createHealthRoutes } from '../health/routes.ts';
import { failingChecks } from '../health/verdicts.ts';
import { autostartFilter } from '../services-api/autostart.ts';
import { LogFeed } from '../services-api/log-feed.ts';
import { createServiceRoutes } from '../services-api/routes.ts';
import { serviceDetail } from '../services-api/service-detail.ts';
import { healthMonitorService } from '../services-api/virtual-service.ts';
import { HopIdentities } from '../supervisor/hop-identities.ts';
import { createSupervisor } from '../supervisor/supervisor.ts';
import { EnvFileError, loadEnvFile } from '../config/env-file.ts';
import { loadConfigFile } from '../config/load.ts';
import { formatProblems } from '../config/problems.ts';
import { ConfigReloader } from '../config/reloader.ts';
import { reloadTransaction } from '../config/reload-transaction.ts';
import { SettingsError } from '../config/settings.ts';
import { readProcessSettings, type ProcessSettings } from '../config/process-settings.ts';
import type { GatewayConfig } from '../config/types.ts';
import { GatewayLifecycle } from '../http/lifecycle.ts';
import { installShutdown } from '../http/shutdown.ts';
import { createGatewayLogger } from '../logging/logger.ts';
import { aggregateMetrics } from '../metrics/aggregate.ts';
import { startMetricsListener } from '../metrics/metrics-listener.ts';
import { createServiceMetricsFetcher } from '../metrics/service-metrics.ts';
import { planStaticUpstreams, syncStaticUpstreams } from '../proxy/static-targets.ts';
import { UpstreamRegistry } from '../registry/upstream-registry.ts';
import { applyFullonEnvFallbacks, FullonEnvError, type AppliedFallback } from '../config/fullon-env.ts';
import { writePidFile } from '../process/pid-file.ts';
import { adminHint, readyMessage, watchFirstReady } from '../process/ready-banner.ts';
import { installSignalHandling } from '../process/signals.ts';
import { checkPortFree } from '../process/port-check.ts';
import { explainListenError, explainUnreadableRoutesFile } from '../process/startup-failure.ts';
import { answerForwarded, describeRoutes } from './forwarded-routes.ts';
import type { ServiceFact } from './protocol.ts';
import { WorkerListenError, WorkerPool, type WorkerPeer } from './worker-pool.ts';
import { coalesce } from './coalesce.ts';
import { WorkerLogFollows } from './log-follows.ts';
import { CertificateAutomationError, startCertificateAutomation } from '../tls/acme/start.ts';
import { CertificateStoreError, checkCertificates } from '../tls/certificate-store.ts';

export async function runPrimary(): Promise<void> {
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
  // Every setting, read once from this snapshot of the environment and passed down
  // (the workers, forked after this, inherit the same environment).
  let processSettings: ProcessSettings;
  try {
    processSettings = readProcessSettings(process.env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    failStart(error.message);
  }
  const settings = processSettings.gateway;
  const logger = createGatewayLogger({ level: settings.logLevel });
  logger.info(
    { pid: process.pid, env_file: envFile, routes_file: settings.routesFile, data_dir: settings.dataDir, workers: processSettings.workers.count },
    `starting (pid ${process.pid}, ${processSettings.workers.count} worker${processSettings.workers.count === 1 ? '' : 's'})`,
  );
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
  // and a key pair of their own; every worker signs with this one key. External
  // upstreams must keep trusting the key across restarts, so with one configured
  // the key lives in DATA_DIR/keys.
  let assertionKey: GatewayAssertionKey;
  try {
    assertionKey = loadGatewayAssertionKey({ env: processSettings.env, dataDir: settings.dataDir, persist: [...config.upstreams.values()].some((upstream) => !upstream.process) });
  } catch (error) {
    if (!(error instanceof AssertionKeyConfigError)) throw error;
    failStart(error.message);
  }
  logger.info({ kid: assertionKey.kid, source: assertionKey.source, previous: assertionKey.jwks.keys[1]?.kid ?? null }, 'gateway assertion key');
  const identities = new HopIdentities({ gatewayJwks: assertionKey.jwks, externalServiceJwks: processSettings.externalServiceJwks });
  const signer = new AssertionSigner({ key: assertionKey.privateKey, kid: assertionKey.kid });

  // --- login counts: one place for every worker (Redis when there is one, so every replica refuses alike) ---
  const { redisUrl } = processSettings;
  const loginThrottleRedis = redisUrl ? new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
  loginThrottleRedis?.on('error', (error: Error) => logger.debug({ err: error.message }, 'login throttle redis error'));
  const loginThrottle = new LoginThrottle({ settings: processSettings.loginThrottle, redis: loginThrottleRedis ?? undefined });

  // --- steps run at shutdown after the workers drained (supervisor.stopAll()) ------
  const shutdownSteps: Array<{ name: string; run: () => void | Promise<void> }> = [];

  // --- supervisor and health monitor (one app-wide instance each) ------------------
  const supervisor = createSupervisor({ registry, logger, env: processSettings.env, identities, autostart: autostartFilter(processSettings.autostart) });
  await supervisor.apply(config);
  const monitor = createHealthMonitor({ supervisor, registry, lifecycle, logger, settings: processSettings.health });
  monitor.apply(config);

  // --- the worker pool ---------------------------------------------------------
  let pool: WorkerPool | null = null;
  const serviceFacts = (): ServiceFact[] =>
    supervisor.names().flatMap((name) => {
      const status = supervisor.status(name);
      return status ? [{ name, state: status.status, restarts: status.restarts }] : [];
    });
  const poolFailing = () => pool?.failing() ?? { workers: 'the workers are starting' };
  const virtualServices = [healthMonitorService(monitor)];
  // Answered here for every worker: health (with the pool's own state) and service control.
  const primaryRoutes = [
    ...createHealthRoutes({ monitor, supervisor, registry, lifecycle, extraChecks: poolFailing }),
    ...createServiceRoutes(supervisor, { virtual: virtualServices, detail: serviceDetail(supervisor) }),
  ];
  // Log streams: the workers serve them, the lines come from here (one subscription per worker and service).
  const logFeed = new LogFeed({ supervisor, exists: (name) => supervisor.kindOf(name) !== undefined || virtualServices.some((service) => service.name === name) });
  const logFollows = new WorkerLogFollows(logFeed, logger);
  const answerLocal = answerForwarded(primaryRoutes);
  // --- metrics: every worker's registry aggregated here, and each supervised process's own ---
  const fetchServiceMetrics = createServiceMetricsFetcher({
    knows: (name) => supervisor.kindOf(name) !== undefined,
    // A supervised process that is not running has no metrics to give (503), an external one is asked.
    baseUrlOf: (name) => {
      const status = supervisor.status(name);
      return status?.managed && !status.is_running ? null : supervisor.baseUrlOf(name);
    },
    signer,
  });
  const scrapeMetrics = async (service: string | null): Promise<string> =>
    service === null ? aggregateMetrics((await pool?.metricsSnapshots()) ?? []) : fetchServiceMetrics(service);
  shutdownSteps.push({ name: 'health monitor', run: () => monitor.stop() }, { name: 'supervisor', run: () => supervisor.stopAll() });
  if (loginThrottleRedis) shutdownSteps.push({ name: 'login throttle', run: () => void loginThrottleRedis.disconnect() });

  // Revocations: from a worker's proxied answer, the orm's stream, other replicas.
  const revokeEverywhere = (items: Invalidation[], except?: WorkerPeer) => pool?.broadcast('revoke', items, except);
  const revocationBus = redisUrl
    ? new RevocationBus({ redisUrl, channel: processSettings.revocationChannel ?? undefined, onRemote: (items) => revokeEverywhere(items), logger })
    : null;
  if (revocationBus) shutdownSteps.push({ name: 'revocation bus', run: () => revocationBus.close() });
  const revocationFeed = new OrmRevocationFeed({
    registry,
    upstream: processSettings.auth.authUpstream,
    signer,
    onEvent: (items) => revokeEverywhere(items),
    onResubscribed: () => pool?.broadcast('forget-all', null),
    logger,
  });
  shutdownSteps.unshift({ name: 'revocation feed', run: () => revocationFeed.close() });

  // Upstream availability and service states live here; every change is pushed (coalesced per tick).
  const pushState = coalesce(() => pool?.broadcast('state', { upstreams: registry.snapshot(), services: serviceFacts() }));
  registry.on('change', pushState);
  supervisor.on('transition', pushState);

  pool = new WorkerPool({
    count: processSettings.workers.count,
    heartbeatTimeoutMs: processSettings.workers.heartbeatTimeoutMs,
    logger,
    config,
    init: () => ({
      auth: processSettings.auth,
      assertionKeyPem: assertionKey.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      assertionKid: assertionKey.kid,
      upstreams: registry.snapshot(),
      services: serviceFacts(),
      ready: lifecycle.ready,
      primaryRoutes: describeRoutes(primaryRoutes),
    }),
    serve: (peer, slot) => {
      peer.handle('local', answerLocal);
      peer.handle('login-attempt', ({ account, address }) => loginThrottle.attempt(account, address));
      peer.handle('login-succeeded', async ({ account, address }) => (await loginThrottle.succeeded(account, address), null));
      peer.handle('login-unchecked', async ({ account }) => (await loginThrottle.unchecked(account), null));
      peer.handle('metrics', ({ service }) => scrapeMetrics(service));
      peer.on('revoked', (items) => {
        revokeEverywhere(items, peer);
        revocationBus?.publish(items);
      });
      peer.on('connection-error', ({ name, message }) => registry.reportConnectionError(name, new Error(message)));
      return logFollows.serve(peer, slot);
    },
  });

  const reloader = new ConfigReloader({
    file: settings.routesFile,
    env: processSettings.env,
    debounceMs: settings.reloadDebounceMs,
    logger,
    // One transaction, validated once here: every part is built first (each
    // worker's route table, the registry plan, ports), then committed in this
    // order; a failure while building (any worker's included) leaves all of it as it was.
    apply: reloadTransaction([
      { name: 'workers', prepare: (next) => pool!.prepare(next) },
      { name: 'static upstreams', prepare: (next) => planStaticUpstreams(registry, next, config) },
      { name: 'supervisor', prepare: (next) => supervisor.prepare(next) },
      { name: 'health monitor', prepare: (next) => () => monitor.apply(next) },
      { name: 'running config', prepare: (next) => () => void (config = next) },
    ]),
    onReloaded: (error, _config, locations) => {
      lifecycle.recordReload(error, locations);
      pool?.broadcast('reloaded', { error, locations: locations ?? [] });
    },
  });
  await reloader.prime();
  reloader.start();

  shutdownSteps.unshift({ name: 'reloader', run: () => reloader.close() });
  const shutdown = installShutdown({
    gateway: { close: (graceMs) => pool!.drain(graceMs ?? settings.shutdownGraceMs), inFlight: () => 0, webSockets: () => new Set() },
    lifecycle,
    logger,
    graceMs: settings.shutdownGraceMs,
    steps: shutdownSteps,
  });
  const signals = installSignalHandling({ logger, reload: (reason) => void reloader.reload(reason), stop: (reason) => void shutdown(reason) });

  // --- automatic certificates (ACME) and the plain-HTTP port (gateway/tls) --------
  // Here, once: the ACME manager owns DATA_DIR/acme, and the workers' certificate
  // stores see its work only through those files. The challenge listener is up
  // before the first order; a redirect's port is the workers' (known once they listen).
  let port = 0;
  if (processSettings.acme || processSettings.httpRedirect) {
    const automation = await startCertificateAutomation({ acme: processSettings.acme, httpRedirect: processSettings.httpRedirect, dataDir: settings.dataDir, gatewayPort: () => port, logger }).catch((error: unknown) => {
      if (!(error instanceof CertificateAutomationError)) throw error;
      logger.fatal(error.message);
      logger.flush?.();
      process.exit(1);
    });
    shutdownSteps.unshift({ name: 'certificate automation', run: () => automation.close() });
  }

  // --- certificates (gateway/tls): checked once here, before any worker starts, so
  // a broken pair or a key that is not its certificate's stops the start with one
  // line; each worker then builds and watches its own store from the same files.
  if (processSettings.tls.enabled) {
    await checkCertificates({ settings: processSettings.tls, logger: logger.child({}, { level: 'silent' }) }).catch((error: unknown) => {
      if (!(error instanceof CertificateStoreError)) throw error;
      logger.fatal(error.message);
      logger.flush?.();
      process.exit(1);
    });
  }

  // A busy port stops the start before any child is spawned; after that, the
  // children and the workers start side by side (port-check.ts says why).
  const failListen = (error: Error & { code?: string }): never => {
    const explained = explainListenError(error, settings.host, settings.port);
    logger.fatal({ code: error.code }, explained ?? `the workers could not start: ${error.message}`);
    logger.flush?.();
    process.exit(1);
  };
  await checkPortFree(settings.host, settings.port).catch(failListen);
  // The primary spawns the children, so their pdeathsig (supervisor/spawner.ts) follows the primary.
  const childrenStarted = (async () => {
    monitor.start();
    await supervisor.startAll();
    revocationFeed.start();
  })();
  // Awaited at the end; marked handled now so a failure while the workers start is not "unhandled".
  childrenStarted.catch(() => {});
  try {
    port = await pool.start();
  } catch (error) {
    if (!(error instanceof WorkerListenError)) throw error;
    // Stopped while the workers were starting: the shutdown under way ends the process.
    if (lifecycle.draining) return;
    failListen(error);
  }
  logger.info({ port, host: settings.host, workers: processSettings.workers.count, worker_pids: Object.values(pool.pids()) }, 'listening');
  // METRICS_PORT: the same text without credentials, on loopback only (docs/metrics.md).
  const { metrics: metricsSettings } = processSettings;
  if (metricsSettings.enabled && metricsSettings.port !== null) {
    try {
      const listener = await startMetricsListener({ port: metricsSettings.port, scrape: scrapeMetrics, logger });
      shutdownSteps.unshift({ name: 'metrics listener', run: () => listener.close() });
    } catch (error) {
      logger.fatal({ code: (error as NodeJS.ErrnoException).code, port: metricsSettings.port }, `METRICS_PORT ${metricsSettings.port} cannot be used: ${(error as Error).message}`);
      logger.flush?.();
      process.exit(1);
    }
  }
  const pidFile = writePidFile(settings.dataDir);
  logger.info(
    { pid: process.pid, pid_file: pidFile, hangup: signals.startedFromTerminal ? 'stops when this terminal closes; kill -HUP reloads' : 'reloads' },
    `gateway pid ${process.pid} (written to ${pidFile}): \`npm run reload\` or \`kill -HUP ${process.pid}\` reloads routes.yaml, \`kill ${process.pid}\` stops`,
  );

  // --- the one "ready" line, when /health/check first turns 200 -------------------
  const publicUrl = `${processSettings.tls.enabled ? 'https' : 'http'}://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  const failingNow = () => ({ ...failingChecks(monitor.targets(), { supervisor, registry }, lifecycle), ...poolFailing() });
  watchFirstReady({
    startedAt,
    isReady: () => Object.keys(failingNow()).length === 0,
    onSlow: (elapsedMs) => {
      const failing = failingNow();
      const what = Object.entries(failing).map(([name, reason]) => `${name}: ${reason}`).join('; ');
      logger.warn({ elapsed_ms: elapsedMs, failing }, `not ready after ${Math.round(elapsedMs / 1000)} s: ${what}; see that service's lines above, or GET /api/v1/services/<name>/logs`);
    },
    onReady: (elapsedMs) => {
      lifecycle.markReady();
      pool?.broadcast('ready', null);
      const hint = adminHint({ dataDir: settings.dataDir, ...processSettings.firstRun });
      logger.info({ url: publicUrl, elapsed_ms: elapsedMs }, readyMessage(publicUrl, hint, elapsedMs));
    },
  });

  await childrenStarted;
}

/** A start-up problem the operator can fix: one line on stderr, exit 1, no stack trace. */
function failStart(message: string): never {
  process.stderr.write(`${JSON.stringify({ level: 60, time: Date.now(), name: 'gateway', service: 'gateway', pid: process.pid, msg: message })}\n`);
  process.exit(1);
}
