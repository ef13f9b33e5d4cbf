// A data-plane worker (one of WORKERS, forked by the primary, gateway/cluster/
// primary.ts): it holds the listener (shared through node:cluster), the route
// table, the auth caches and the proxy. Everything it must agree on with the
// other workers comes from the primary: the committed config (two-phase
// reloads), upstream availability, the secrets, revocations. What only the
// primary can do (service control, health, login counts) is forwarded there.
// It exits when the primary goes away: no worker outlives its primary.
import { createPrivateKey } from 'node:crypto';
import type { Logger } from 'pino';
import { createGateway, type Gateway } from '../app.ts';
import { createAuthRoutes } from '../auth/auth-routes.ts';
import { createEdgeAuth } from '../auth/edge-auth.ts';
import { createWebSocketExpiry } from '../auth/ws-expiry.ts';
import { formatInvalidations } from '../auth/invalidation.ts';
import { readProcessSettings } from '../config/process-settings.ts';
import type { GatewayConfig } from '../config/types.ts';
import { createConsoleRoutes } from '../console/routes.ts';
import { GatewayLifecycle } from '../http/lifecycle.ts';
import { createRootRoute } from '../http/root-route.ts';
import { readGatewayVersion } from '../http/version.ts';
import { createGatewayLogger } from '../logging/logger.ts';
import { createGatewayMetrics } from '../metrics/gateway-metrics.ts';
import { createMetricsRoutes } from '../metrics/metrics-route.ts';
import { startSpanExport } from '../tracing/span-export.ts';
import { createOpenApiRoutes } from '../openapi/routes.ts';
import { UpstreamDocuments } from '../openapi/upstream-documents.ts';
import { closeSocket } from '../proxy/ws-close.ts';
import { RateLimitStore } from '../ratelimit/store.ts';
import { UpstreamRegistry } from '../registry/upstream-registry.ts';
import { createCertificateStore } from '../tls/certificate-store.ts';
import { hstsHeaderValue } from '../tls/hsts.ts';
import { asGatewayError, forwardedRoutes } from './forwarded-routes.ts';
import { IpcPeer, type IpcEndpoint } from './ipc.ts';
import { IPC_TIMEOUT_MS, METRICS_TIMEOUT_MS, type PrimarySide, type ServiceFact, type WorkerEvents, type WorkerInit, type WorkerSide } from './protocol.ts';
import { remoteLoginThrottle } from './remote-login-throttle.ts';
import { RemoteLogSource } from './remote-log-source.ts';
import { createLogStreamRoute } from '../services-api/log-stream-route.ts';

export async function runWorker(): Promise<void> {
  // The primary read and checked these before forking; the worker reads the same environment.
  const processSettings = readProcessSettings(process.env);
  const settings = processSettings.gateway;
  const base = createGatewayLogger({ level: settings.logLevel });
  const primary = new IpcPeer<WorkerSide, PrimarySide>(process as unknown as IpcEndpoint, { timeoutMs: IPC_TIMEOUT_MS });

  // The primary gone (kill -9, crash): stop at once. Its children die with it
  // (pdeathsig); a worker left alone would hold the port with nobody supervising.
  process.once('disconnect', () => {
    // After a drain the primary disconnects us: the normal end.
    if (drained) process.exit(0);
    base.warn({ pid: process.pid }, 'the gateway primary is gone: worker exiting');
    base.flush?.();
    process.exit(1);
  });
  // Ctrl-C reaches the whole process group; the primary decides (it drains us).
  // A terminal hang-up is the primary's to interpret too.
  process.on('SIGINT', () => {});
  process.on('SIGHUP', () => {});

  // Facts pushed while the data plane is still being built (init is asynchronous)
  // would be lost with nobody listening yet: the latest of each is kept.
  const early: EarlyFacts = { state: null, ready: false };
  primary.on('state', (state) => void (early.state = state));
  primary.on('ready', () => void (early.ready = true));
  let started: Awaited<ReturnType<typeof startDataPlane>> | null = null;
  let drained = false;
  primary.handle('init', async (init) => {
    started = await startDataPlane(init, early, processSettings, base.child({ worker: init.slot }), primary, () => void (drained = true));
    return { port: started.port };
  });
  primary.handle('ping', () => null);
  // The primary disconnects the channel once it has the reply; the worker exits then.
  // A drain that comes while the data plane is still being built has nothing to wait for.
  primary.handle('drain', async ({ graceMs }) => {
    if (started) await started.drain(graceMs);
    drained = true;
    return null;
  });
  // SIGTERM sent to a worker itself: drain like a pool shutdown; the primary replaces it.
  process.on('SIGTERM', () => void (started ? started.drain(settings.shutdownGraceMs).then(() => process.exit(0)) : process.exit(0)));
}

interface EarlyFacts {
  state: WorkerEvents['state'] | null;
  ready: boolean;
}

async function startDataPlane(init: WorkerInit, early: EarlyFacts, processSettings: ReturnType<typeof readProcessSettings>, logger: Logger, primary: IpcPeer<WorkerSide, PrimarySide>, onDrained: () => void) {
  const settings = processSettings.gateway;
  const lifecycle = new GatewayLifecycle();
  if (init.ready) lifecycle.markReady();
  const registry = new UpstreamRegistry();
  registry.restore(init.upstreams);
  let services: ServiceFact[] = init.services;

  const auth = await createEdgeAuth({
    settings: init.auth,
    registry,
    logger,
    assertionKey: { privateKey: createPrivateKey(init.assertionKeyPem), kid: init.assertionKid },
  });
  const webSocketExpiry = createWebSocketExpiry(closeSocket);
  // HTTPS when a certificate source is set (docs/https.md): each worker reads and
  // watches the same files, so every worker serves the same certificates.
  const certificates = processSettings.tls.enabled ? await createCertificateStore({ settings: processSettings.tls, logger }) : null;
  // METRICS_ENABLED=false: nothing recorded on the request path, no /metrics routes.
  const metrics = processSettings.metrics.enabled ? createGatewayMetrics() : undefined;
  metrics?.markConfigLoaded();
  // The primary answers /metrics: every worker's registry aggregated, or a service's own.
  const scrape = (service: string | null) =>
    primary.request('metrics', { service }, METRICS_TIMEOUT_MS).catch((error: unknown) => {
      throw asGatewayError(error);
    });
  if (metrics) primary.handle('metrics-snapshot', () => metrics.registry.getMetricsAsJSON());
  // OTLP span export: the SDK is loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set (docs/traces.md).
  const spans = processSettings.spanExport ? await startSpanExport(processSettings.spanExport) : undefined;
  const localRoutes = [
    createRootRoute(readGatewayVersion()),
    ...createAuthRoutes(auth, { throttle: remoteLoginThrottle(primary, processSettings.loginThrottle.refusalDelayMs ?? 0), trustedProxies: settings.trustedProxies }),
    ...forwardedRoutes(primary, init.primaryRoutes),
    // Served here, not forwarded: the stream holds this worker's connection; its lines come from the primary.
    createLogStreamRoute({ source: new RemoteLogSource(primary), lifecycle, maxStreams: settings.logStreamsMax }),
    ...(metrics ? createMetricsRoutes({ gateway: () => scrape(null), service: (name) => scrape(name) }, (user) => auth.isAdmin(user)) : []),
  ];
  // Route rate limits: in Redis when there is one, so every worker and replica counts together; else this worker's memory.
  const rateLimits = new RateLimitStore({ redisUrl: processSettings.redisUrl, logger });
  const gateway: Gateway = createGateway({
    settings,
    config: init.config,
    registry,
    auth,
    localRoutes,
    lifecycle,
    logger,
    metrics,
    spans,
    sampleNewTraces: spans !== undefined,
    rateLimits,
    onWebSocketOpen: (ctx) => webSocketExpiry.onOpen(ctx),
    onWebSocketClose: (ctx) => webSocketExpiry.onClose(ctx),
    tls: certificates,
    hsts: certificates ? hstsHeaderValue(processSettings.tls.hsts) : null,
    // Applied here already (app.ts); the primary tells the other workers and the replicas.
    onAuthInvalidation: (items) => primary.notify('revoked', items),
  });
  metrics?.setSources({
    webSockets: () => gateway.webSockets().size,
    upstreams: () => registry.all().map((upstream) => ({ name: upstream.name, up: upstream.availability === 'up' })),
    services: () => services,
  });
  gateway.addLocalRoutes(
    createOpenApiRoutes({
      documents: new UpstreamDocuments({ registry, signer: auth.signer }),
      config: () => gateway.currentConfig(),
      localRoutes: () => gateway.localRoutes(),
      version: readGatewayVersion(),
    }),
  );
  gateway.addLocalRoutes(createConsoleRoutes({ config: () => gateway.currentConfig(), lifecycle }));
  // Passive health is the primary's monitor's to judge.
  registry.on('connectionError', (name, error) => primary.notify('connection-error', { name, message: error.message }));

  // --- reloads: prepare (may fail), then commit or abort ----------------------
  let version = init.version;
  let prepared: { version: number; commit: () => void } | null = null;
  const prepare = (next: { version: number; config: GatewayConfig }) => {
    prepared = { version: next.version, commit: gateway.prepareConfig(next.config) };
    return null;
  };
  primary.handle('prepare', prepare);
  primary.handle('commit', ({ version: committing }) => {
    if (prepared?.version !== committing) throw new Error(`reload ${committing} was not prepared here`);
    prepared.commit();
    version = committing;
    prepared = null;
    return null;
  });
  primary.handle('apply', (next) => {
    gateway.prepareConfig(next.config)();
    version = next.version;
    return null;
  });
  primary.on('abort', ({ version: aborted }) => {
    if (prepared?.version === aborted) prepared = null;
  });
  primary.on('state', (state) => {
    registry.restore(state.upstreams);
    services = state.services;
  });
  primary.on('revoke', (items) => {
    gateway.revoke(items);
    logger.info({ revoked: formatInvalidations(items) }, 'cached credentials revoked');
  });
  primary.on('forget-all', () => auth.forgetAll());
  primary.on('reloaded', ({ error, locations }) => {
    metrics?.recordReload(error);
    lifecycle.recordReload(error, locations);
  });
  primary.on('ready', () => lifecycle.markReady());
  // What arrived while this was being built (newer than init's snapshot).
  if (early.state) {
    registry.restore(early.state.upstreams);
    services = early.state.services;
  }
  if (early.ready) lifecycle.markReady();

  let draining: Promise<void> | null = null;
  const drain = (graceMs: number) => {
    draining ??= (async () => {
      logger.info({ in_flight: gateway.inFlight(), websockets: gateway.webSockets().size, grace_ms: graceMs }, 'worker draining');
      await gateway.close(graceMs);
      certificates?.close();
      await auth.close().catch(() => {});
      await spans?.close().catch(() => {});
      rateLimits.close();
      logger.info({ version }, 'worker stopped');
      logger.flush?.();
      onDrained();
    })();
    return draining;
  };

  const port = await gateway.listen({ message: 'worker listening' });
  return { port, drain };
}
