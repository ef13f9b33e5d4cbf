// WebSocket endpoints /ws and /ws/{group}/{connection_id}, plus the per-stream
// paths of older fullon clients (feed-routes.ts). The upgrade request passes the
// gateway-assertion hook like any route, so an unauthenticated upgrade gets HTTP
// 401 and no socket. Messages of one socket are handled in order (a stream then
// its unsubscribe), with a bounded backlog.
import { randomUUID } from 'node:crypto';
import fastifyWebsocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { identityOf } from '../../common/server.ts';
import { ACTION_GROUPS } from '../actions/registry.ts';
import type { ActionGroup, CacheDeps } from '../actions/types.ts';
import type { StreamHub } from '../streams/hub.ts';
import { handleMessage, type ConnectionState } from './dispatch.ts';
import { FEED_KEY, registerFeedRoutes, startFeed, type FeedOpener } from './feed-routes.ts';
import { Keepalive } from './keepalive.ts';
import { errorOf } from './messages.ts';
import { SocketSession } from './session.ts';
import { SocketLimitError, UserQuota, type QuotaLease } from './user-quota.ts';

export interface WebSocketRoutesOptions {
  deps: CacheDeps;
  hub: StreamHub;
  logger: Logger;
  /** Observes sockets closed for back-pressure (tests, metrics). */
  onOverflow?: () => void;
}

/** Requests waiting on one socket; past this the client is told to slow down. */
const MAX_BACKLOG = 64;
const CONNECTION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export async function registerWebSocketRoutes(app: FastifyInstance, options: WebSocketRoutesOptions): Promise<{ connections: () => number; usageOf: UserQuota['usageOf'] }> {
  const { deps, hub, logger } = options;
  const keepalive = new Keepalive(deps.settings.pingIntervalMs);
  app.addHook('onClose', async () => keepalive.stop());
  // Refused upgrades (401 from the assertion hook) are closed by createUpstreamApp.
  // maxPayload: ws closes a socket sending a bigger frame with 1009 (Message Too Big).
  await app.register(fastifyWebsocket, { options: { maxPayload: deps.settings.maxMessageBytes } });
  const quota = new UserQuota({ maxSockets: deps.settings.maxSocketsPerUser, maxSubscriptions: deps.settings.maxSubscriptionsPerUser });

  const open = (group: ActionGroup | null, feedOf?: FeedOpener) => (socket: WebSocket, request: FastifyRequest) => {
    const params = request.params as { connectionId?: string };
    const connectionId = params.connectionId && CONNECTION_ID.test(params.connectionId) ? params.connectionId : randomUUID();
    const identity = identityOf(request);
    let userQuota: QuotaLease;
    try {
      userQuota = quota.open(identity.userId);
    } catch (error) {
      if (!(error instanceof SocketLimitError)) throw error;
      // Said twice: as an error frame the client's reader sees, and as the close
      // reason (1008 policy violation), so a client that only watches closes knows too.
      socket.send(JSON.stringify(errorOf(null, 'INVALID_OPERATION', error.message)));
      socket.close(1008, error.message);
      return;
    }
    const session = new SocketSession(socket, {
      userQuota,
      sendBufferBytes: deps.settings.sendBufferBytes,
      stallTimeoutMs: deps.settings.stallTimeoutMs,
      maxSubscriptions: deps.settings.maxSubscriptionsPerSocket,
      onOverflow: () => {
        logger.info({ connectionId }, 'websocket closed: send buffer limit exceeded');
        options.onOverflow?.();
      },
    });
    const state: ConnectionState = { connectionId, group, context: { identity, deps }, session, hub, logger };
    keepalive.track(socket);
    let backlog = 0;
    // A feed starts first; requests wait behind it so their replies follow its start.
    let chain = feedOf ? startFeed(state, request, feedOf).catch((error) => logger.error({ err: error }, 'websocket feed failed')) : Promise.resolve();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (backlog >= MAX_BACKLOG) return session.reply(errorOf(null, 'INVALID_OPERATION', 'Too many requests in flight; wait for replies'));
      backlog++;
      const text = isBinary ? data.toString('utf8') : data.toString();
      chain = chain
        .then(() => {
          if (feedOf?.untilFirstMessage) session.removeStream(FEED_KEY);
          return session.closed ? undefined : handleMessage(state, text);
        })
        .catch((error) => logger.error({ err: error }, 'websocket message failed'))
        .finally(() => void backlog--);
    });
    socket.on('error', (error) => logger.debug({ err: error, connectionId }, 'websocket error'));
    socket.once('close', () => session.dispose());
  };

  // @fastify/websocket hides WebSocket routes from OpenAPI (which cannot describe
  // them); the protocol is documented in docs/fullon-clients-market-data.md.
  app.get('/ws', { websocket: true }, open(null));
  for (const group of ACTION_GROUPS) {
    if (group === 'orders') continue; // /ws/orders/{id} is also the older per-exchange order feed
    app.get(`/ws/${group}/:connectionId`, { websocket: true }, open(group));
  }
  registerFeedRoutes(app, open);
  return { connections: () => keepalive.size, usageOf: (userId) => quota.usageOf(userId) };
}
