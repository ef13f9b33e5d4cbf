// The primary/worker channel (gateway/cluster/ipc.ts) over an in-memory pair of
// endpoints that behave like an IPC pipe (asynchronous delivery, structured clone).
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IpcError, IpcPeer, type IpcEndpoint } from '../../../../gateway/cluster/ipc.ts';
import { gatewayError } from '../../../../gateway/pipeline/errors.ts';

type A = { requests: { double: { body: number; reply: number }; fail: { body: null; reply: null }; hang: { body: null; reply: null } }; events: { hello: string } };
type B = { requests: { ping: { body: null; reply: string } }; events: { bye: number } };

class FakeEnd extends EventEmitter implements IpcEndpoint {
  other: FakeEnd | null = null;
  connected = true;
  send(message: unknown, callback?: (error: Error | null) => void): boolean {
    if (!this.connected || !this.other) {
      queueMicrotask(() => callback?.(new Error('channel closed')));
      return false;
    }
    const copy = structuredClone(message);
    const other = this.other;
    setImmediate(() => other.emit('message', copy));
    queueMicrotask(() => callback?.(null));
    return true;
  }
}

function pair(): [FakeEnd, FakeEnd] {
  const a = new FakeEnd();
  const b = new FakeEnd();
  a.other = b;
  b.other = a;
  return [a, b];
}

const peers: Array<IpcPeer<any, any>> = [];
function peersOn(timeoutMs = 1000): { a: IpcPeer<A, B>; b: IpcPeer<B, A>; ends: [FakeEnd, FakeEnd] } {
  const ends = pair();
  const a = new IpcPeer<A, B>(ends[0], { timeoutMs });
  const b = new IpcPeer<B, A>(ends[1], { timeoutMs });
  peers.push(a, b);
  return { a, b, ends };
}
afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
  vi.useRealTimers();
});

describe('IpcPeer', () => {
  it('answers a request with the handler’s value, in both directions', async () => {
    const { a, b } = peersOn();
    a.handle('double', (n) => n * 2);
    b.handle('ping', () => 'pong');
    expect(await b.request('double', 21)).toBe(42);
    expect(await a.request('ping', null)).toBe('pong');
    expect(a.pending()).toBe(0);
  });

  it('delivers events to every listener, and a throwing listener stops neither the others nor the channel', async () => {
    const { a, b } = peersOn();
    const heard: string[] = [];
    a.on('hello', () => {
      throw new Error('bug in a listener');
    });
    a.on('hello', (text) => heard.push(text));
    a.handle('double', (n) => n * 2);
    b.notify('hello', 'there');
    expect(await b.request('double', 1)).toBe(2);
    expect(heard).toEqual(['there']);
  });

  it('brings a catalogue error back with its code, status, detail and headers (no stack)', async () => {
    const { a, b } = peersOn();
    a.handle('fail', () => {
      throw gatewayError('SERVICE_NOT_FOUND', { detail: "Service 'x' not found" });
    });
    const error = (await b.request('fail', null).catch((e: unknown) => e)) as IpcError;
    expect(error).toBeInstanceOf(IpcError);
    expect(error.code).toBe('IPC_REMOTE');
    expect(error.remote).toEqual({ message: "Service 'x' not found", code: 'SERVICE_NOT_FOUND', status: 404, detail: "Service 'x' not found", headers: {} });
  });

  it('rejects a request nobody handles with IPC_REMOTE / IPC_NO_HANDLER', async () => {
    const { b } = peersOn();
    const error = (await b.request('double', 1).catch((e: unknown) => e)) as IpcError;
    expect([error.code, error.remote?.code]).toEqual(['IPC_REMOTE', 'IPC_NO_HANDLER']);
  });

  it('rejects with IPC_TIMEOUT when no answer comes in time, and forgets the request', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { a, b } = peersOn(50);
    a.handle('hang', () => new Promise(() => {}));
    const pending = b.request('hang', null).catch((e: unknown) => e);
    vi.advanceTimersByTime(60);
    expect(((await pending) as IpcError).code).toBe('IPC_TIMEOUT');
    expect(b.pending()).toBe(0);
  });

  it('rejects every waiting request with IPC_CLOSED when closed, and refuses new ones', async () => {
    const { a, b } = peersOn();
    a.handle('hang', () => new Promise(() => {}));
    const waiting = [b.request('hang', null).catch((e: unknown) => e), b.request('hang', null).catch((e: unknown) => e)];
    b.close('worker 1 exited');
    for (const error of await Promise.all(waiting)) expect((error as IpcError).code).toBe('IPC_CLOSED');
    expect(((await b.request('hang', null).catch((e: unknown) => e)) as IpcError).code).toBe('IPC_CLOSED');
    // A notify on a closed channel is no error: the peer is gone.
    expect(() => b.notify('hello', 'nobody')).not.toThrow();
  });

  it('rejects with IPC_SEND_FAILED when the channel is already down (no unhandled rejection, no throw)', async () => {
    const { b, ends } = peersOn();
    ends[1].connected = false;
    const error = (await b.request('double', 2).catch((e: unknown) => e)) as IpcError;
    expect(error.code).toBe('IPC_SEND_FAILED');
  });

  it('carries Maps (a GatewayConfig’s upstreams) through the structured clone', async () => {
    type C = { requests: { size: { body: Map<string, number>; reply: number } }; events: {} };
    const ends = pair();
    const server = new IpcPeer<C, C>(ends[0], { timeoutMs: 1000 });
    const client = new IpcPeer<C, C>(ends[1], { timeoutMs: 1000 });
    peers.push(server, client);
    server.handle('size', (map) => map.size);
    expect(await client.request('size', new Map([['orm_api', 1], ['cache_api', 2]]))).toBe(2);
  });

  it('ignores messages that are not its own (other users of the IPC channel)', async () => {
    const { a, b, ends } = peersOn();
    a.handle('double', (n) => n * 2);
    ends[0].emit('message', { cmd: 'NODE_CLUSTER', act: 'something' });
    ends[0].emit('message', 'text');
    expect(await b.request('double', 4)).toBe(8);
  });
});
