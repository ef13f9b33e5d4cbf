// Log streams across the primary/worker channel (over an in-memory pipe): a
// worker holds one primary-side subscription per service however many streams it
// serves, frees it when its last stream closes or when it exits, and every
// stream sees its backlog then the later lines, with no gap and no repeat.
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { IpcPeer, type IpcEndpoint } from '../../../../gateway/cluster/ipc.ts';
import { WorkerLogFollows } from '../../../../gateway/cluster/log-follows.ts';
import type { PrimarySide, WorkerSide } from '../../../../gateway/cluster/protocol.ts';
import { RemoteLogSource } from '../../../../gateway/cluster/remote-log-source.ts';
import { LogFeed } from '../../../../gateway/services-api/log-feed.ts';
import type { LogRecord } from '../../../../gateway/supervisor/line-buffer.ts';
import { FakeLogSupervisor } from '../../../fixtures/logs/fake-log-supervisor.ts';

/** One end of an in-memory IPC pipe: asynchronous, ordered, structured clone. */
class FakeEnd extends EventEmitter implements IpcEndpoint {
  other: FakeEnd | null = null;
  send(message: unknown, callback?: (error: Error | null) => void): boolean {
    const copy = structuredClone(message);
    const other = this.other!;
    setImmediate(() => other.emit('message', copy));
    queueMicrotask(() => callback?.(null));
    return true;
  }
}

const peers: Array<IpcPeer<any, any>> = [];
afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

function cluster() {
  const supervisor = new FakeLogSupervisor(['echo', 'other']);
  const feed = new LogFeed({ supervisor, exists: (name) => supervisor.has(name) });
  const follows = new WorkerLogFollows(feed, pino({ level: 'silent' }));
  const worker = () => {
    const [a, b] = [new FakeEnd(), new FakeEnd()];
    a.other = b;
    b.other = a;
    const primaryEnd = new IpcPeer<PrimarySide, WorkerSide>(a, { timeoutMs: 1000 });
    const workerEnd = new IpcPeer<WorkerSide, PrimarySide>(b, { timeoutMs: 1000 });
    peers.push(primaryEnd, workerEnd);
    const release = follows.serve(primaryEnd, peers.length / 2);
    return { source: new RemoteLogSource(workerEnd), release };
  };
  return { supervisor, feed, follows, worker };
}

/** Resolves once the condition holds (checked after each turn of the event loop). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
const msgs = (records: LogRecord[]) => records.map((record) => record.entry.msg);

describe('log streams over the worker channel', () => {
  it('shares one primary subscription among a worker’s streams of a service, and frees it with the last one', async () => {
    const { supervisor, feed, follows, worker } = cluster();
    const { source } = worker();
    supervisor.print('echo', 'before');
    const seenA: LogRecord[] = [];
    const seenB: LogRecord[] = [];
    const a = await source.follow('echo', { lines: 10 }, (records) => seenA.push(...records));
    const b = await source.follow('echo', { lines: 1 }, (records) => seenB.push(...records));
    expect(msgs(a.backlog)).toEqual(['before']);
    expect(msgs(b.backlog)).toEqual(['before']);
    expect(follows.count()).toBe(1);
    expect(feed.subscribers()).toBe(1);

    supervisor.print('echo', 'after');
    await until(() => seenA.length === 1 && seenB.length === 1);
    expect(msgs(seenA)).toEqual(['after']);
    expect(msgs(seenB)).toEqual(['after']);

    a.close();
    supervisor.print('echo', 'only b');
    await until(() => seenB.length === 2);
    expect(follows.count()).toBe(1);
    b.close();
    await until(() => follows.count() === 0);
    expect(feed.subscribers()).toBe(0);
  });

  it('a stream opened while lines flow gets its backlog and then only newer lines', async () => {
    const { supervisor, worker } = cluster();
    const { source } = worker();
    const first: LogRecord[] = [];
    await source.follow('echo', { lines: 10 }, (records) => first.push(...records));
    // Printed while the second follow's request is on its way: in its backlog or after it, never both.
    const second: LogRecord[] = [];
    const opening = source.follow('echo', { lines: 1000 }, (records) => second.push(...records));
    for (let i = 0; i < 20; i++) supervisor.print('echo', `line ${i}`);
    const { backlog } = await opening;
    for (let i = 20; i < 25; i++) supervisor.print('echo', `line ${i}`);
    await until(() => first.length === 25);
    await until(() => backlog.length + second.length >= 25);
    await new Promise((resolve) => setImmediate(resolve));
    expect([...msgs(backlog), ...msgs(second)]).toEqual(Array.from({ length: 25 }, (_, i) => `line ${i}`));
  });

  it('a worker\'s stream resumes after a Last-Event-ID through the primary, gap included', async () => {
    const { supervisor, worker } = cluster();
    const { source } = worker();
    for (const line of ['one', 'two', 'three']) supervisor.print('echo', line);
    const { backlog } = await source.follow('echo', { lines: 3 }, () => {});
    const resumed = await source.follow('echo', { lines: 1, afterId: backlog[0]!.id }, () => {});
    expect(msgs(resumed.backlog)).toEqual(['two', 'three']);
    expect(resumed.gap).toBe(false);
    expect((await source.follow('echo', { lines: 1, afterId: 1 }, () => {})).gap).toBe(true);
  });

  it('each worker has its own subscription; an exited worker’s are dropped', async () => {
    const { follows, worker } = cluster();
    const one = worker();
    const two = worker();
    await one.source.follow('echo', { lines: 1 }, () => {});
    await two.source.follow('echo', { lines: 1 }, () => {});
    await two.source.follow('other', { lines: 1 }, () => {});
    expect(follows.count()).toBe(3);
    two.release();
    expect(follows.count()).toBe(1);
  });

  it('an unknown service is the primary’s 404 on the worker, and leaves nothing subscribed', async () => {
    const { follows, worker } = cluster();
    const { source } = worker();
    await expect(source.follow('ghost', { lines: 10 }, () => {})).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND', status: 404, detail: "Service 'ghost' not found" });
    expect(source.following()).toBe(0);
    expect(follows.count()).toBe(0);
  });
});
