// Services that are not processes but parts of the gateway, controlled through
// the same /api/v1/services API. The original had one: `health_monitor`, whose
// start/stop resumes/pauses the periodic health checks.
import type { HealthMonitor } from '../health/monitor.ts';
import { ServiceControlError, type ServiceStatusBody } from '../supervisor/types.ts';

export interface VirtualService {
  name: string;
  status(): ServiceStatusBody;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

export function healthMonitorService(monitor: Pick<HealthMonitor, 'start' | 'stop' | 'schedule'>, now: () => number = Date.now): VirtualService {
  const name = 'health_monitor';
  let since: number | null = monitor.schedule().running ? now() : null;
  let restarts = 0;
  const running = () => monitor.schedule().running;
  const resume = () => {
    monitor.start();
    since = now();
  };
  return {
    name,
    status: () => {
      const up = running();
      if (up && since === null) since = now();
      return { service: name, status: up ? 'running' : 'stopped', is_running: up, healthy: up, pid: null, uptime_s: up && since !== null ? Math.round((now() - since) / 1000) : null, restarts, last_exit: null, managed: true };
    },
    start: async () => {
      if (running()) throw new ServiceControlError(409, `${name} is already running`);
      resume();
    },
    stop: async () => {
      if (!running()) throw new ServiceControlError(409, `${name} is not running (it is stopped)`);
      monitor.stop();
      since = null;
    },
    restart: async () => {
      if (running()) {
        monitor.stop();
        restarts++;
      }
      resume();
    },
  };
}
