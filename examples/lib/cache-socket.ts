// A small client for the cache WebSocket (fullon_cache_api's protocol): request
// an action and await its reply, await the next message that matches.
import WebSocket from 'ws';
import { wsUrl } from './client.ts';

export interface CacheSocket {
  socket: WebSocket;
  request(action: string, params?: Record<string, unknown>): Promise<any>;
  next(match: (message: any) => boolean, timeoutMs?: number): Promise<any>;
  close(): void;
}

export function openCacheSocket(path: string, token: string): Promise<CacheSocket> {
  const socket = new WebSocket(wsUrl(`/api/v1/cache${path}`), { headers: { authorization: `Bearer ${token}` } });
  const waiters: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    const index = waiters.findIndex((waiter) => waiter.match(message));
    if (index >= 0) waiters.splice(index, 1)[0]!.resolve(message);
  });
  const next = (match: (m: any) => boolean, timeoutMs = 20_000) =>
    new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching WebSocket message within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  let counter = 0;
  const request = (action: string, params: Record<string, unknown> = {}) => {
    const requestId = `req-${++counter}`;
    const reply = next((m) => m.request_id === requestId && 'success' in m);
    socket.send(JSON.stringify({ action, request_id: requestId, params }));
    return reply;
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, request, next, close: () => socket.close() }));
    socket.once('unexpected-response', (_req, response) => reject(new Error(`upgrade refused: ${response.statusCode}`)));
    socket.once('error', reject);
  });
}
