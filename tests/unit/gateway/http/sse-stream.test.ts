// An SSE response in front of a slow client: bounded memory, the oldest events
// dropped first, the gap announced once the client catches up; heartbeats while
// idle; release exactly once when the response closes.
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeSseEvent } from '../../../../gateway/http/sse.ts';
import { SseStream } from '../../../../gateway/http/sse-stream.ts';

/** A response whose client reads only when told to (release()). */
function slowClient(highWaterMark = 64) {
  const received: string[] = [];
  const held: Array<() => void> = [];
  let reading = true;
  const target = new Writable({
    highWaterMark,
    write(chunk, _encoding, done) {
      received.push(String(chunk));
      if (reading) done();
      else held.push(() => done());
    },
  });
  return {
    target,
    received,
    stall: () => void (reading = false),
    release: () => {
      reading = true;
      for (const done of held.splice(0)) done();
    },
  };
}

const event = (i: number) => encodeSseEvent({ id: i, data: { msg: `line ${i}` } });
const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));

afterEach(() => {
  vi.useRealTimers();
});

describe('SseStream', () => {
  it('writes events straight through while the client keeps up', () => {
    const client = slowClient();
    const stream = new SseStream(client.target, { heartbeatMs: 60_000, maxQueuedBytes: 1024, onClose: () => {} });
    for (let i = 1; i <= 5; i++) stream.send(event(i));
    expect(ids(client.received.join(''))).toEqual([1, 2, 3, 4, 5]);
    stream.end();
  });

  it('queues behind a stalled client up to its byte limit, drops the oldest, and announces the gap first when it catches up', async () => {
    const client = slowClient(64);
    const stream = new SseStream(client.target, { heartbeatMs: 60_000, maxQueuedBytes: 200, onClose: () => {} });
    client.stall();
    const sent = 500;
    for (let i = 1; i <= sent; i++) stream.send(event(i));
    // Held by the stalled client: what the socket took before refusing, plus at most the queue's 200 bytes.
    expect(client.target.writableLength).toBeLessThanOrEqual(64 + event(sent).length);
    const drained = once(client.target, 'drain');
    client.release();
    await drained;
    await new Promise((resolve) => setImmediate(resolve));
    const text = client.received.join('');
    const skipped = /event: skipped\ndata: \{"skipped":(\d+)\}/.exec(text);
    expect(skipped).not.toBeNull();
    const delivered = ids(text);
    // Nothing lost silently: every event was delivered or counted as skipped.
    expect(delivered.length + Number(skipped![1])).toBe(sent);
    // In order, with one gap, and the newest ones kept.
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    expect(delivered.at(-1)).toBe(sent);
    // The gap notice comes where the gap is: before the events after it.
    const gapAt = text.indexOf('event: skipped');
    const firstAfterGap = delivered.find((id, index) => index > 0 && id !== delivered[index - 1]! + 1)!;
    expect(text.indexOf(`id: ${firstAfterGap}\n`)).toBeGreaterThan(gapAt);
    stream.end();
  });

  it('sends heartbeat comments while idle', () => {
    vi.useFakeTimers();
    const client = slowClient();
    const stream = new SseStream(client.target, { heartbeatMs: 15_000, maxQueuedBytes: 1024, onClose: () => {} });
    vi.advanceTimersByTime(45_000);
    expect(client.received.filter((chunk) => chunk === ': heartbeat\n\n')).toHaveLength(3);
    stream.end();
  });

  it('ends with a last event and releases once when the response closes', async () => {
    const client = slowClient();
    const onClose = vi.fn();
    const stream = new SseStream(client.target, { heartbeatMs: 60_000, maxQueuedBytes: 1024, onClose });
    stream.end(encodeSseEvent({ type: 'end', data: { reason: 'bye' } }));
    await once(client.target, 'close');
    expect(client.received.join('')).toBe('event: end\ndata: {"reason":"bye"}\n\n');
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(stream.closed).toBe(true);
    stream.send(event(1));
    expect(client.received.join('')).not.toContain('id: 1');
  });

  it('releases when the client goes away mid-stream', async () => {
    const client = slowClient();
    const onClose = vi.fn();
    new SseStream(client.target, { heartbeatMs: 60_000, maxQueuedBytes: 1024, onClose });
    client.target.destroy();
    await once(client.target, 'close');
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('releases a response that was already gone when the stream was made', async () => {
    const client = slowClient();
    client.target.destroy();
    await once(client.target, 'close');
    const onClose = vi.fn();
    new SseStream(client.target, { heartbeatMs: 60_000, maxQueuedBytes: 1024, onClose });
    await Promise.resolve();
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
