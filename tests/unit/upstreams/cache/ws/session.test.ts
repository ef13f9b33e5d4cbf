// SocketSession keeps a slow socket bounded: conflation while backed up, 1013
// when stuck, a subscription cap, and nothing sent after close.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SocketSession, SubscriptionLimitError, type SessionSocket } from '../../../../../upstreams/cache/ws/session.ts';

class FakeSocket implements SessionSocket {
  bufferedAmount = 0;
  readyState = 1;
  sent: string[] = [];
  closed: { code: number; reason: string } | null = null;
  terminated = false;
  send(data: string) {
    this.sent.push(data);
  }
  close(code: number, reason: string) {
    this.closed = { code, reason };
    this.readyState = 2;
  }
  terminate() {
    this.terminated = true;
  }
}

const options = { sendBufferBytes: 1000, stallTimeoutMs: 500, maxSubscriptions: 3 };

describe('SocketSession', () => {
  afterEach(() => vi.useRealTimers());

  it('sends updates straight away while the buffer is below the limit', () => {
    const socket = new FakeSocket();
    const session = new SocketSession(socket, options);
    session.push('k1', 'a');
    session.push('k1', 'b');
    expect(socket.sent).toEqual(['a', 'b']);
  });

  it('conflates updates per key while backed up and delivers the latest once drained', () => {
    vi.useFakeTimers();
    const socket = new FakeSocket();
    const session = new SocketSession(socket, options);
    socket.bufferedAmount = 5000 / 2; // above the limit, below the hard limit
    for (let i = 0; i < 1000; i++) session.push('ticker-a', `a${i}`);
    session.push('ticker-b', 'b0');
    expect(socket.sent).toEqual([]);
    expect(session.pendingCount).toBe(2); // bounded by keys, not by updates
    socket.bufferedAmount = 0;
    vi.advanceTimersByTime(50);
    expect(socket.sent).toEqual(['a999', 'b0']);
    expect(socket.closed).toBeNull();
  });

  it('closes with 1013 when the socket stays above the limit past the stall timeout', () => {
    vi.useFakeTimers();
    const socket = new FakeSocket();
    const onOverflow = vi.fn();
    const session = new SocketSession(socket, { ...options, onOverflow });
    socket.bufferedAmount = 2000;
    session.push('k', 'x');
    vi.advanceTimersByTime(600);
    expect(socket.closed?.code).toBe(1013);
    expect(onOverflow).toHaveBeenCalledOnce();
    expect(session.closed).toBe(true);
    vi.advanceTimersByTime(600);
    expect(socket.terminated).toBe(true);
  });

  it('closes with 1013 at once when replies pile up far past the limit', () => {
    const socket = new FakeSocket();
    const session = new SocketSession(socket, options);
    session.reply({ ok: 1 });
    socket.bufferedAmount = 10_000;
    session.reply({ ok: 2 });
    expect(socket.closed?.code).toBe(1013);
    session.reply({ ok: 3 });
    expect(socket.sent).toHaveLength(2);
  });

  it('refuses subscriptions past the cap and frees capacity on removal', () => {
    const socket = new FakeSocket();
    const session = new SocketSession(socket, options);
    const released = vi.fn();
    session.reserve(2);
    session.addStream('c:1', 2, released);
    expect(() => session.reserve(2)).toThrow(SubscriptionLimitError);
    expect(session.removeStream('c:1')).toBe(true);
    expect(released).toHaveBeenCalledOnce();
    expect(session.removeStream('c:1')).toBe(false);
    expect(() => session.reserve(3)).not.toThrow();
  });

  it('releases every stream on dispose and sends nothing afterwards', () => {
    const socket = new FakeSocket();
    const session = new SocketSession(socket, options);
    const released = vi.fn();
    session.addStream('c:1', 1, released);
    session.addStream('c:2', 1, released);
    session.dispose();
    session.push('k', 'late');
    session.reply('late');
    expect(released).toHaveBeenCalledTimes(2);
    expect(socket.sent).toEqual([]);
  });
});
