// The supervisor as the rest of the gateway sees it: the services API, the
// health monitor and main.ts depend on this interface only.
import type { GatewayConfig } from '../config/types.ts';
import type { LogEntry, LogRecord, RecordsAfter } from './line-buffer.ts';
import { CATALOGUE, GatewayError } from '../pipeline/errors.ts';

export type ServiceState = 'stopped' | 'starting' | 'running' | 'stopping' | 'backoff' | 'failed';

/** DESIGN.md: GET /api/v1/services/{name}/status body. */
export interface ServiceStatusBody {
  service: string;
  status: ServiceState;
  is_running: boolean;
  healthy: boolean;
  pid: number | null;
  uptime_s: number | null;
  restarts: number;
  last_exit: { code: number | null; signal: string | null; at: string } | null;
  /** false for upstreams with a url and no process: the gateway does not control them. */
  managed: boolean;
}

/**
 * Thrown by start/stop/restart, with the services API's answer: 404 unknown
 * service, 409 wrong state, 503 a start that failed (catalogue entries, the
 * detail names the service and why).
 */
export class ServiceControlError extends GatewayError {
  declare readonly status: 404 | 409 | 503;
  constructor(status: 404 | 409 | 503, message: string) {
    const code = status === 404 ? 'SERVICE_NOT_FOUND' : status === 409 ? 'SERVICE_CONFLICT' : 'SERVICE_START_FAILED';
    super(code, CATALOGUE[code].status, message);
    this.name = 'ServiceControlError';
  }
}

export interface Supervisor {
  /** Reconcile with a (re)loaded config: new services are added, removed ones stopped. */
  apply(config: GatewayConfig): Promise<void>;
  /** Start every service with autostart. */
  startAll(): Promise<void>;
  /** Stop every child (gateway shutdown); resolves when all have exited. */
  stopAll(): Promise<void>;
  names(): string[];
  status(name: string): ServiceStatusBody | undefined;
  start(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  /** The service's recent output as structured entries, oldest first. */
  logs(name: string, lines: number): LogEntry[];
  /** The same entries with their line ids (the start of a log stream). */
  logRecords(name: string, lines: number): LogRecord[];
  /** Every kept entry after line `afterId`, and whether some after it are no longer kept (a resumed log stream). */
  logRecordsAfter(name: string, afterId: number): RecordsAfter;
}
