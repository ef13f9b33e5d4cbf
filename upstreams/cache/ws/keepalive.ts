// Ping/pong keepalive: keeps idle sockets open through the gateway and proxies,
// and terminates sockets that did not answer the previous ping (dead peers).
import type { WebSocket } from 'ws';

export class Keepalive {
  #alive = new Map<WebSocket, boolean>();
  #timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.#timer = setInterval(() => this.#sweep(), intervalMs);
    this.#timer.unref();
  }

  track(socket: WebSocket): void {
    this.#alive.set(socket, true);
    socket.on('pong', () => this.#alive.set(socket, true));
    socket.once('close', () => this.#alive.delete(socket));
  }

  get size(): number {
    return this.#alive.size;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #sweep(): void {
    for (const [socket, alive] of this.#alive) {
      if (!alive) {
        this.#alive.delete(socket);
        socket.terminate();
        continue;
      }
      this.#alive.set(socket, false);
      socket.ping();
    }
  }
}
