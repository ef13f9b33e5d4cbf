// An in-process gateway (the core's test harness) with the real supervisor, health
// monitor and their LocalRoutes, supervising tests/fixtures/processes/http-service.ts
// as upstream "orm" routed at /api/v1/orm (public) — the whole path a client sees.
import { pino } from 'pino';
import { createHealthMonitor, type HealthMonitor } from '../../../../gateway/health/monitor.ts';
import { createHealthRoutes } from '../../../../gateway/health/routes.ts';
import { LogFeed } from '../../../../gateway/services-api/log-feed.ts';
import { createLogStreamRoute, type LogStreamRoute } from '../../../../gateway/services-api/log-stream-route.ts';
import { createServiceRoutes } from '../../../../gateway/services-api/routes.ts';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { fixturePath } from '../../../fixtures/processes/configs.ts';
import { startTestGateway, type TestGateway } from '../proxy/harness.ts';

export interface SupervisedStack {
  gateway: TestGateway;
  supervisor: AppSupervisor;
  monitor: HealthMonitor;
  /** GET /api/v1/services/{name}/logs/stream, fed by the supervisor in this process (no workers). */
  logStream: LogStreamRoute;
  close(): Promise<void>;
}

export async function startSupervisedStack(options: { env?: Record<string, string>; health?: string; services?: string } = {}): Promise<SupervisedStack> {
  const env = Object.entries({ DRAIN_MS: '0', ...options.env })
    .map(([key, value]) => `        ${key}: "${value}"`)
    .join('\n');
  const yaml = `
upstreams:
  orm:
    process:
      command: [node, ${JSON.stringify(fixturePath('http-service.ts'))}]
      env:
${env}
      restart: { policy: always, backoff_initial: 50ms, backoff_max: 200ms, start_limit_burst: 10 }
      stop_grace: 3s
      start_timeout: 20s
    health: ${options.health ?? '{ path: /health, timeout: 2s, unhealthy_threshold: 1, critical: true }'}
${options.services ? `services:\n${options.services}` : ''}
routes:
  - prefix: /api/v1/orm
    upstream: orm
    rewrite: ""
    auth: public
`;
  const gateway = await startTestGateway({ yaml, settings: { accessLog: false } });
  const supervisor = createSupervisor({ registry: gateway.registry, logger: pino({ level: 'silent' }) });
  const monitor = createHealthMonitor({ supervisor, registry: gateway.registry, lifecycle: gateway.lifecycle, logger: pino({ level: 'silent' }), settings: { checkIntervalSeconds: null, autoRestartEnabled: true, autoRestartMaxPerHour: 5, autoRestartCooldownSeconds: 300, historySize: 100 } });
  await supervisor.apply(gateway.config);
  monitor.apply(gateway.config);
  const logFeed = new LogFeed({ supervisor, exists: (name) => supervisor.status(name) !== undefined });
  const logStream = createLogStreamRoute({ source: logFeed, lifecycle: gateway.lifecycle, maxStreams: 4 });
  gateway.gateway.addLocalRoutes([...createHealthRoutes({ monitor, supervisor, registry: gateway.registry, lifecycle: gateway.lifecycle }), ...createServiceRoutes(supervisor), logStream]);
  await supervisor.startAll();
  return {
    gateway,
    supervisor,
    monitor,
    logStream,
    async close() {
      monitor.stop();
      await gateway.close();
      logFeed.close();
      await supervisor.stopAll();
    },
  };
}
