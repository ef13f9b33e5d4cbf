// Issue item 6 end to end: ~200 req/s through the gateway's proxy to /api/v1/orm
// while an admin POSTs /api/v1/services/orm/restart. Prints what it measured.
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startSupervisedStack, type SupervisedStack } from './harness.ts';

const RATE_PER_S = 200;

let stack: SupervisedStack | null = null;
let agent: Agent | null = null;

afterEach(async () => {
  await agent?.close();
  await stack?.close();
  stack = null;
});

interface Tally {
  sent: number;
  byStatus: Record<string, number>;
  pids: Set<number>;
}

async function restartUnderLoad(drainMs: string): Promise<Tally> {
  stack = await startSupervisedStack({ env: { DRAIN_MS: drainMs } });
  agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });
  const tally: Tally = { sent: 0, byStatus: {}, pids: new Set() };
  const pending = new Set<Promise<void>>();
  const target = `${stack.gateway.url}/api/v1/orm/load`;
  const timer = setInterval(() => {
    tally.sent++;
    const call = request(target, { dispatcher: agent!, headersTimeout: 10_000 })
      .then(async (response) => {
        const body = (await response.body.json()) as { pid?: number };
        tally.byStatus[response.statusCode] = (tally.byStatus[response.statusCode] ?? 0) + 1;
        if (body.pid) tally.pids.add(body.pid);
      })
      .catch((error: Error & { code?: string }) => {
        const key = error.code ?? error.name;
        tally.byStatus[key] = (tally.byStatus[key] ?? 0) + 1;
      })
      .finally(() => pending.delete(call));
    pending.add(call);
  }, 1000 / RATE_PER_S);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const restarted = await request(`${stack.gateway.url}/api/v1/services/orm/restart`, { method: 'POST', headers: { authorization: 'Bearer admin' } });
  expect(await restarted.body.json()).toEqual({ service: 'orm', status: 'restarted' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(timer);
  await Promise.all(pending);
  console.info(`restart through the gateway at ${RATE_PER_S} req/s (DRAIN_MS=${drainMs}): sent=${tally.sent} outcomes=${JSON.stringify(tally.byStatus)} processes=${tally.pids.size}`);
  return tally;
}

describe('restart under load through the gateway', () => {
  it('loses no request while the upstream is replaced (old process drains with Connection: close)', async () => {
    const tally = await restartUnderLoad('1500');
    expect(tally.pids.size).toBe(2);
    expect(tally.byStatus['200']).toBe(tally.sent);
  });
});
