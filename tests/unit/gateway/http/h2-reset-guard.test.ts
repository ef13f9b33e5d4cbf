// The rapid-reset bucket with a hand-driven clock: the session survives the burst,
// is destroyed (with ENHANCE_YOUR_CALM) on the first cancellation past it, and
// refills at the configured rate. Sessions and streams are EventEmitter stand-ins.
import { EventEmitter } from 'node:events';
import { constants, type Http2SecureServer } from 'node:http2';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { guardAgainstRapidReset } from '../../../../gateway/http/h2-reset-guard.ts';

class FakeStream extends EventEmitter {
  closed = false;
  destroyed = false;
  rstCode = constants.NGHTTP2_NO_ERROR;
}

class FakeSession extends EventEmitter {
  destroyed = false;
  destroyedWith: number | null = null;
  socket = { remoteAddress: '192.0.2.7' };
  destroy(_error?: Error, code?: number): void {
    this.destroyed = true;
    this.destroyedWith = code ?? null;
  }
  /** A stream the client cancels: already closed when the server first sees it, or aborted later. */
  cancel(early: boolean): void {
    const stream = new FakeStream();
    if (early) {
      stream.closed = true;
      stream.rstCode = constants.NGHTTP2_CANCEL;
      this.emit('stream', stream);
    } else {
      this.emit('stream', stream);
      stream.emit('aborted');
    }
  }
}

function setup(burst: number, refillPerSecond: number) {
  let now = 0;
  const server = new EventEmitter();
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  guardAgainstRapidReset(server as unknown as Http2SecureServer, { burst, refillPerSecond, logger, now: () => now });
  const session = new FakeSession();
  server.emit('session', session);
  return { session, lines, advance: (ms: number) => void (now += ms) };
}

describe('guardAgainstRapidReset', () => {
  it.each([
    ['closed before the server saw them', true],
    ['aborted after', false],
  ])('lets a burst of cancelled streams (%s) through and closes the session on the next one', (_name, early) => {
    const { session, lines } = setup(5, 1);
    for (let i = 0; i < 5; i++) session.cancel(early);
    expect(session.destroyed).toBe(false);
    session.cancel(early);
    expect(session.destroyed).toBe(true);
    expect(session.destroyedWith).toBe(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    expect(lines.filter((line) => line.code === 'H2_RAPID_RESET')).toEqual([expect.objectContaining({ peer: '192.0.2.7', cancelled_streams: 6 })]);
  });

  it('refills the bucket over time, so a client that cancels now and then is never cut', () => {
    const { session, advance } = setup(5, 2);
    for (let minute = 0; minute < 60; minute++) {
      for (let i = 0; i < 5; i++) session.cancel(true);
      advance(3000);
    }
    expect(session.destroyed).toBe(false);
  });

  it('does not count streams that were answered and closed normally', () => {
    const { session } = setup(1, 0);
    for (let i = 0; i < 10; i++) {
      const stream = new FakeStream();
      session.emit('stream', stream);
      stream.closed = true;
      stream.emit('close');
    }
    expect(session.destroyed).toBe(false);
  });
});
