// Load-generator process of the cache benchmark (the parent forks several, so
// the clients are not the bottleneck): opens its share of WebSockets, optionally
// subscribes each, and records the delivery latency of every ticker update
// (receive time minus the publish time carried in the tick's `time`).
import { WebSocket } from 'ws';

export type WorkerCommand =
  | { type: 'connect'; url: string; count: number; headers: Record<string, string>; subscribe: string | null; concurrency: number }
  | { type: 'expect'; round: number }
  | { type: 'collect' }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; open: number; failed: number; firstError: string | null }
  | { type: 'round'; round: number; received: number }
  | { type: 'latencies'; values: number[] }
  | { type: 'closed' };

const now = () => performance.timeOrigin + performance.now();
const sockets: WebSocket[] = [];
let latencies: number[] = [];
const receivedByRound = new Map<number, number>();
let expected: { round: number } | null = null;

function send(reply: WorkerReply) {
  process.send!(reply);
}

/** The tick's publish time (ms) and round, from a bare frame or a cache ticker_update. */
function readTick(text: string): { sentAt: number; round: number } | null {
  const message = JSON.parse(text) as { time?: number; price?: number; action?: string; result?: { timestamp?: number; price?: number } };
  if (typeof message.time === 'number') return { sentAt: message.time * 1000, round: message.price ?? -1 };
  if (message.action === 'ticker_update' && message.result) return { sentAt: (message.result.timestamp ?? 0) * 1000, round: message.result.price ?? -1 };
  return null;
}

function onFrame(data: Buffer) {
  const receivedAt = now();
  const tick = readTick(data.toString());
  if (!tick) return;
  latencies.push(receivedAt - tick.sentAt);
  const count = (receivedByRound.get(tick.round) ?? 0) + 1;
  receivedByRound.set(tick.round, count);
  if (expected?.round === tick.round && count === sockets.length) send({ type: 'round', round: tick.round, received: count });
}

function openOne(url: string, headers: Record<string, string>, subscribe: string | null): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, perMessageDeflate: false });
    socket.once('unexpected-response', (request, response) => {
      request.destroy();
      reject(new Error(`upgrade refused: ${response.statusCode}`));
    });
    socket.once('error', reject);
    socket.once('open', () => {
      if (!subscribe) {
        socket.on('message', onFrame);
        return resolve(socket);
      }
      socket.once('message', (data: Buffer) => {
        const reply = JSON.parse(data.toString()) as { success?: boolean };
        if (reply.success !== true) return reject(new Error(`subscribe refused: ${data.toString().slice(0, 200)}`));
        socket.on('message', onFrame);
        resolve(socket);
      });
      socket.send(subscribe);
    });
  });
}

async function connect(command: Extract<WorkerCommand, { type: 'connect' }>) {
  let failed = 0;
  let firstError: string | null = null;
  let next = 0;
  const lane = async () => {
    while (next < command.count) {
      next++;
      try {
        // "{id}" in the URL becomes a connection id of this socket's own.
        const url = command.url.replace('{id}', `${process.pid}-${sockets.length + failed}`);
        sockets.push(await openOne(url, command.headers, command.subscribe));
      } catch (error) {
        failed++;
        firstError ??= (error as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: command.concurrency }, lane));
  send({ type: 'ready', open: sockets.length, failed, firstError });
}

process.on('message', (command: WorkerCommand) => {
  if (command.type === 'connect') void connect(command);
  else if (command.type === 'expect') {
    expected = { round: command.round };
    const count = receivedByRound.get(command.round) ?? 0;
    if (count === sockets.length) send({ type: 'round', round: command.round, received: count });
  } else if (command.type === 'collect') {
    send({ type: 'latencies', values: latencies });
    latencies = [];
  } else if (command.type === 'close') {
    for (const socket of sockets) socket.terminate();
    sockets.length = 0;
    send({ type: 'closed' });
    setImmediate(() => process.exit(0));
  }
});
