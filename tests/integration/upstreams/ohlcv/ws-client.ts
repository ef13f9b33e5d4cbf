// A small promise-based ws client for the live-stream tests: connect with
// headers, await the next JSON message, the close code, or a refused upgrade.
import WebSocket from 'ws';

export interface TestSocket {
  socket: WebSocket;
  send(message: unknown): void;
  next(): Promise<Record<string, unknown>>;
  /** Resolves with the close code. */
  closed: Promise<number>;
  /** Messages received but not yet taken by next(). */
  pending(): number;
  close(): Promise<void>;
}

export function connect(url: string, headers: Record<string, string>): Promise<TestSocket> {
  const socket = new WebSocket(url, { headers });
  const queue: Record<string, unknown>[] = [];
  const waiters: Array<(message: Record<string, unknown>) => void> = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as Record<string, unknown>;
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    // With this listener ws leaves the refused request to us: destroy it.
    socket.once('unexpected-response', (request, response) => {
      request.destroy();
      reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode }));
    });
    socket.once('error', reject);
    socket.once('open', () => resolve({
      socket,
      send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
      next: () => {
        const queued = queue.shift();
        return queued ? Promise.resolve(queued) : new Promise((r) => waiters.push(r));
      },
      closed,
      pending: () => queue.length,
      async close() {
        if (socket.readyState === WebSocket.CLOSED) return;
        socket.close();
        await closed;
      },
    }));
  });
}

/** The HTTP status of a refused upgrade. */
export async function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const client = await connect(url, headers);
    await client.close();
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? 0;
  }
}
