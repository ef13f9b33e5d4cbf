// The anchor of the cache benchmark: a bare `ws` server that forwards every
// message of one Redis channel to all its clients (one pre-encoded buffer,
// no protocol, no auth) — the floor any WebSocket broadcast starts from.
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';

const channel = process.env.BENCH_CHANNEL ?? 'bench';
const subscriber = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
await subscriber.subscribe(channel);
const server = new WebSocketServer({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0), perMessageDeflate: false });
subscriber.on('message', (_channel: string, message: string) => {
  const frame = Buffer.from(message);
  for (const client of server.clients) client.send(frame, { binary: false });
});
server.on('listening', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(JSON.stringify({ msg: 'listening', port }));
});
process.once('SIGTERM', () => {
  subscriber.disconnect();
  server.close(() => process.exit(0));
  for (const client of server.clients) client.terminate();
});
