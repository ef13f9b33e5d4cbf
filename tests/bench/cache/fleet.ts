// The client side of the cache benchmark: several forked worker processes
// (client-worker.ts) holding the WebSockets, driven over IPC: connect, wait for
// each published round to reach every socket, collect latencies, close.
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerCommand, WorkerReply } from './client-worker.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface FleetOptions {
  url: string;
  connections: number;
  workers: number;
  /** Per-socket headers (e.g. Authorization); a function gives each socket its own. */
  headers: Record<string, string>;
  /** The subscribe message each socket sends after opening (null: none). */
  subscribe: string | null;
}

interface Worker {
  child: ChildProcess;
  waiters: Array<{ match: (reply: WorkerReply) => boolean; resolve: (reply: WorkerReply) => void }>;
}

export class Fleet {
  #workers: Worker[] = [];
  open = 0;
  failed = 0;
  firstError: string | null = null;

  static async start(options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet();
    for (let i = 0; i < options.workers; i++) {
      const child = fork(join(HERE, 'client-worker.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const worker: Worker = { child, waiters: [] };
      child.on('message', (reply: WorkerReply) => {
        const index = worker.waiters.findIndex((waiter) => waiter.match(reply));
        if (index >= 0) worker.waiters.splice(index, 1)[0]!.resolve(reply);
      });
      fleet.#workers.push(worker);
    }
    const share = Math.ceil(options.connections / options.workers);
    const replies = await Promise.all(
      fleet.#workers.map((worker, i) => {
        const count = Math.max(0, Math.min(share, options.connections - i * share));
        return fleet.#ask(worker, { type: 'connect', url: options.url, count, headers: options.headers, subscribe: options.subscribe, concurrency: 50 }, (r) => r.type === 'ready', 300_000);
      }),
    );
    for (const reply of replies) {
      if (reply.type !== 'ready') continue;
      fleet.open += reply.open;
      fleet.failed += reply.failed;
      fleet.firstError ??= reply.firstError;
    }
    return fleet;
  }

  /** Publishes one round and waits until every open socket got it; false on timeout. */
  async round(round: number, publish: () => Promise<void>, timeoutMs = 20_000): Promise<boolean> {
    const arrived = this.#workers.map((worker) => this.#wait(worker, (r) => r.type === 'round' && r.round === round, timeoutMs));
    for (const worker of this.#workers) worker.child.send({ type: 'expect', round } satisfies WorkerCommand);
    await publish();
    const results = await Promise.allSettled(arrived);
    return results.every((result) => result.status === 'fulfilled');
  }

  async collect(): Promise<number[]> {
    const replies = await Promise.all(this.#workers.map((worker) => this.#ask(worker, { type: 'collect' }, (r) => r.type === 'latencies')));
    return replies.flatMap((reply) => (reply.type === 'latencies' ? reply.values : []));
  }

  async close(): Promise<void> {
    await Promise.all(
      this.#workers.map(async (worker) => {
        const exited = new Promise((resolve) => worker.child.once('exit', resolve));
        await this.#ask(worker, { type: 'close' }, (r) => r.type === 'closed', 30_000).catch(() => worker.child.kill('SIGKILL'));
        await exited;
      }),
    );
  }

  #ask(worker: Worker, command: WorkerCommand, match: (reply: WorkerReply) => boolean, timeoutMs = 30_000): Promise<WorkerReply> {
    const reply = this.#wait(worker, match, timeoutMs);
    worker.child.send(command);
    return reply;
  }

  #wait(worker: Worker, match: (reply: WorkerReply) => boolean, timeoutMs: number): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('worker did not answer in time')), timeoutMs);
      worker.waiters.push({
        match,
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
      });
    });
  }
}
