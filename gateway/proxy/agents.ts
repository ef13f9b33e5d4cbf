// Keep-alive agent for gateway→upstream HTTP: connections are reused across
// requests (a fresh TCP handshake per request would dominate latency).
import { Agent } from 'node:http';

export const AGENT_DEFAULTS = {
  keepAlive: true,
  keepAliveMsecs: 1000,
  /** Idle pooled sockets per upstream host kept open. */
  maxFreeSockets: 256,
  /** Idle pooled sockets are closed after this (the upstream may close sooner; Node honours its Keep-Alive hint). */
  freeSocketTimeoutMs: 15_000,
  scheduling: 'lifo' as const,
};

export function createUpstreamAgent(): Agent {
  return new Agent({
    keepAlive: AGENT_DEFAULTS.keepAlive,
    keepAliveMsecs: AGENT_DEFAULTS.keepAliveMsecs,
    maxFreeSockets: AGENT_DEFAULTS.maxFreeSockets,
    timeout: AGENT_DEFAULTS.freeSocketTimeoutMs,
    scheduling: AGENT_DEFAULTS.scheduling,
  });
}

/** Open sockets of an agent (in use + idle), for leak tests and /health diagnostics. */
export function countAgentSockets(agent: Agent): { active: number; idle: number } {
  const sum = (pool: NodeJS.ReadOnlyDict<unknown[]>) => Object.values(pool).reduce((n, list) => n + (list?.length ?? 0), 0);
  return { active: sum(agent.sockets), idle: sum(agent.freeSockets) };
}
