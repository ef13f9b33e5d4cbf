// Issue item 6, measured directly against the port (no proxy): ~200 req/s while a
// supervised upstream is restarted. The new process binds the same port
// (reusePort) and is ready before the old one stops. Prints the counts it saw; the
// polite-drain case through the gateway is services-api/restart-under-load.test.ts.
import { pino } from 'pino';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, type AppSupervisor } from '../../../../gateway/supervisor/supervisor.ts';
import { UpstreamRegistry } from '../../../../gateway/registry/upstream-registry.ts';
import { gatewayConfig, processConfig, upstreamConfig } from '../../../fixtures/processes/configs.ts';

const RATE_PER_S = 200;

let supervisor: AppSupervisor;
let agent: Agent;

afterEach(async () => {
  await supervisor?.stopAll();
  await agent?.close();
});

interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  pids: Set<number>;
  errors: string[];
}

/** Fires one GET every 1000/RATE ms until stop() and resolves once all answered. */
function runLoad(url: URL): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, pids: new Set(), errors: [] };
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    result.sent++;
    const call = request(url, { dispatcher: agent, headersTimeout: 20_000 })
      .then(async (response) => {
        const body = (await response.body.json()) as { pid?: number };
        if (response.statusCode === 200 && body.pid) {
          result.ok++;
          result.pids.add(body.pid);
        } else {
          result.failed++;
          result.errors.push(`HTTP ${response.statusCode}`);
        }
      })
      .catch((error: Error & { code?: string }) => {
        result.failed++;
        result.errors.push(error.code ?? error.message);
      })
      .finally(() => pending.delete(call));
    pending.add(call);
  }, 1000 / RATE_PER_S);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return result;
    },
  };
}

async function measureRestart(env: Record<string, string>): Promise<LoadResult> {
  const registry = new UpstreamRegistry();
  supervisor = createSupervisor({ registry, logger: pino({ level: 'silent' }) });
  agent = new Agent({ keepAliveTimeout: 10_000, connections: 32 });
  await supervisor.apply(gatewayConfig([upstreamConfig('orm', { process: processConfig({ env }) })]));
  await supervisor.start('orm');
  const load = runLoad(registry.get('orm')!.target!);
  await new Promise((resolve) => setTimeout(resolve, 300)); // steady state before the restart
  await supervisor.restart('orm');
  await new Promise((resolve) => setTimeout(resolve, 300)); // and after it
  const result = await load.stop();
  const errors = [...new Set(result.errors)].join(',') || 'none';
  console.info(`zero-downtime restart (${JSON.stringify(env)}): sent=${result.sent} ok=${result.ok} failed=${result.failed} processes=${result.pids.size} errors=${errors}`);
  return result;
}

describe('zero-downtime restart', () => {
  it('serves through an abrupt close too, losing at most a request racing an idle keep-alive socket', async () => {
    // http.Server#close drops idle kept-alive sockets at once; a request the client
    // sent on one at that instant fails (UND_ERR_SOCKET). Measured, not hidden.
    const result = await measureRestart({});
    expect(result.pids.size).toBe(2);
    expect(result.failed).toBeLessThanOrEqual(3);
  });
});
