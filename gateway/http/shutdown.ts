// Graceful shutdown on SIGTERM/SIGINT: drain first (/health/check turns 503),
// stop accepting, let in-flight requests finish within the grace, close
// WebSockets with 1001, run the registered steps (stop supervised children), exit 0.
import type { Logger } from 'pino';
import type { Gateway } from '../app.ts';
import type { GatewayLifecycle } from './lifecycle.ts';

export interface ShutdownOptions {
  /** The gateway, or what stands for it in the primary (the worker pool's drain). */
  gateway: Pick<Gateway, 'close' | 'inFlight' | 'webSockets'>;
  lifecycle: GatewayLifecycle;
  logger: Logger;
  graceMs: number;
  /** Run in order after the listener is closed (e.g. reloader.close, supervisor.stopAll). */
  steps: Array<{ name: string; run: () => void | Promise<void> }>;
  exit?: (code: number) => void;
}

export function installShutdown(options: ShutdownOptions): (signal: string) => Promise<void> {
  let running: Promise<void> | null = null;
  const shutdown = (signal: string) => {
    running ??= run(signal);
    return running;
  };
  async function run(signal: string): Promise<void> {
    const { gateway, lifecycle, logger } = options;
    lifecycle.beginDrain();
    logger.info({ signal, in_flight: gateway.inFlight(), websockets: gateway.webSockets().size, grace_ms: options.graceMs }, 'shutting down');
    let code = 0;
    try {
      await gateway.close(options.graceMs);
    } catch (error) {
      logger.error({ err: error }, 'closing the listener failed');
      code = 1;
    }
    for (const step of options.steps) {
      try {
        await step.run();
      } catch (error) {
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
        code = 1;
      }
    }
    logger.info({ code }, 'stopped');
    // Let pino flush the last lines before the process goes.
    logger.flush?.();
    (options.exit ?? ((c: number) => process.exit(c)))(code);
  }
  // `on`, not `once`: Ctrl-C under `npm start` can deliver SIGINT twice (the
  // terminal's, then npm's forwarded copy); a second one must not kill the
  // gateway mid-drain with Node's default action. shutdown() runs only once.
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  return shutdown;
}
