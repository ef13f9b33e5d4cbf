// WS /ws/ohlcv. The upgrade request passes the same gateway-assertion hook as
// every route, so a direct unauthenticated upgrade gets HTTP 401 and no socket.
// Bad messages get {type: "error"} and the socket stays open.
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { LiveHub } from './hub.ts';
import { ProtocolError, confirmation, errorMessage, parseClientMessage } from './protocol.ts';

export function registerLiveRoutes(app: FastifyInstance, hub: LiveHub, maxSubscriptions: number): void {
  // Refused upgrades (401 from the assertion hook, 404...) are closed by createUpstreamApp.
  app.get('/ws/ohlcv', { websocket: true }, (socket: WebSocket) => {
    // Attach the error handler first: a reset socket must not crash the process.
    socket.on('error', () => hub.removeSocket(socket));
    socket.on('close', () => hub.removeSocket(socket));
    socket.on('message', (data, isBinary) => {
      if (isBinary) return hub.send(socket, errorMessage('Binary messages are not supported; send JSON text'));
      try {
        const request = parseClientMessage(data.toString());
        if (request.action === 'subscribe') {
          if (!hub.subscribe(socket, request.exchange, request.symbol, request.timeframe)) {
            throw new ProtocolError(`Too many subscriptions (at most ${maxSubscriptions} per connection)`);
          }
        } else if (!hub.unsubscribe(socket, request.exchange, request.symbol, request.timeframe)) {
          throw new ProtocolError(`Not subscribed to ${request.exchange} ${request.symbol} ${request.timeframe}`);
        }
        hub.send(socket, confirmation(request));
      } catch (error) {
        const message = error instanceof ProtocolError ? error.message : 'Internal error';
        hub.send(socket, errorMessage(message));
      }
    });
  });
}
