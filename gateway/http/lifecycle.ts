// Process-wide lifecycle facts the health endpoints report and the shutdown and
// reload code set: are we draining, is the config valid, how did reloads go.
import { EventEmitter } from 'node:events';

export interface ReloadStats {
  count: number;
  failures: number;
  lastAt: string | null;
  /** Problems of the last refused file, as `check` prints them; null after a good reload. */
  lastError: string | null;
  /** Where those problems are (file:line:col: path), without values: what public health shows. */
  lastErrorLocations: string[];
}

export class GatewayLifecycle extends EventEmitter<{ drain: [] }> {
  readonly startedAt = Date.now();
  draining = false;
  configValid = true;
  /** Set once /health/check first answered 200 (the "ready" line); before that 503s are expected. */
  ready = false;
  readonly reload: ReloadStats = { count: 0, failures: 0, lastAt: null, lastError: null, lastErrorLocations: [] };

  /** First step of shutdown: /health/check turns 503 from here on. */
  beginDrain(): void {
    if (this.draining) return;
    this.draining = true;
    this.emit('drain');
  }

  markReady(): void {
    this.ready = true;
  }

  recordReload(error: string | null, locations: string[] = []): void {
    this.reload.lastAt = new Date().toISOString();
    if (error === null) {
      this.reload.count++;
      this.reload.lastError = null;
      this.reload.lastErrorLocations = [];
    } else {
      this.reload.failures++;
      this.reload.lastError = error;
      this.reload.lastErrorLocations = locations;
    }
  }

  uptimeSeconds(): number {
    return Math.round((Date.now() - this.startedAt) / 1000);
  }
}
