// GET /internal/auth/events: a server-sent-event stream of revocations
// (auth-invalidation.ts) for the gateways, so every replica sharing this orm drops
// a revoked key or user from its caches within a round trip — pushed, never
// polled. Gateway identity only (like every /internal route); a comment line every
// HEARTBEAT_MS keeps idle proxies and the gateway's read from timing out.
import type { FastifyInstance } from 'fastify';
import type { ServerResponse } from 'node:http';
import { requireGateway } from '../../common/server.ts';
import type { OrmContext } from '../context.ts';
import type { AuthEventSink } from './auth-invalidation.ts';

export const AUTH_EVENTS_DEFAULTS = {
  heartbeatMs: 15_000,
  /** Streams beyond this are refused (503): each is one gateway replica. */
  maxStreams: 256,
} as const;

class AuthEventStreams implements AuthEventSink {
  readonly #streams = new Set<ServerResponse>();

  get size(): number {
    return this.#streams.size;
  }

  add(res: ServerResponse): void {
    this.#streams.add(res);
    res.once('close', () => this.#streams.delete(res));
  }

  publish(event: string): void {
    for (const res of this.#streams) res.write(`data: ${event}\n\n`);
  }

  heartbeat(): void {
    for (const res of this.#streams) res.write(': keepalive\n\n');
  }

  closeAll(): void {
    for (const res of this.#streams) res.end();
    this.#streams.clear();
  }
}

export function registerAuthEventRoutes(app: FastifyInstance, _ctx: OrmContext): void {
  const streams = new AuthEventStreams();
  app.decorate('authEvents', streams);
  const heartbeat = setInterval(() => streams.heartbeat(), AUTH_EVENTS_DEFAULTS.heartbeatMs);
  heartbeat.unref();
  // Before the server closes: open streams would keep app.close() waiting forever.
  app.addHook('preClose', async () => {
    clearInterval(heartbeat);
    streams.closeAll();
  });

  app.get('/internal/auth/events', async (request, reply) => {
    requireGateway(request);
    if (streams.size >= AUTH_EVENTS_DEFAULTS.maxStreams) return reply.code(503).send({ detail: 'Too many event streams' });
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // First line at once: the gateway knows it is subscribed from here on.
    res.write(': subscribed\n\n');
    streams.add(res);
  });
}
