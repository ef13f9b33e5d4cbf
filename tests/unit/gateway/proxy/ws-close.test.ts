import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { closeSocket, isUpgraded, trackClientSocket } from '../../../../gateway/proxy/ws-close.ts';
import { buildCloseFrame } from '../../../../gateway/proxy/ws-frames.ts';

function binaryFrame(payload: string): Buffer {
  return Buffer.concat([Buffer.from([0x82, payload.length]), Buffer.from(payload)]);
}

/** A client socket stand-in that records what was written to it. */
function fakeSocket() {
  const socket = new PassThrough();
  const written: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => written.push(chunk));
  return { socket, bytes: () => Buffer.concat(written) };
}

const HANDSHAKE = 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n';

describe('closeSocket', () => {
  it('injects the close frame at once when between frames, then drops later upstream bytes', async () => {
    const { socket, bytes } = fakeSocket();
    trackClientSocket(socket);
    socket.write(HANDSHAKE);
    socket.write(binaryFrame('one'));
    expect(isUpgraded(socket)).toBe(true);
    expect(closeSocket(socket, 1001, 'bye')).toBe(true);
    socket.write(binaryFrame('late'));
    await new Promise((resolve) => socket.once('end', resolve));
    expect(bytes()).toEqual(Buffer.concat([Buffer.from(HANDSHAKE), binaryFrame('one'), buildCloseFrame(1001, 'bye')]));
  });

  it('waits for the end of a frame split across writes before injecting', async () => {
    const { socket, bytes } = fakeSocket();
    trackClientSocket(socket);
    socket.write(HANDSHAKE);
    const frame = binaryFrame('abcdefgh');
    socket.write(frame.subarray(0, 4));
    expect(closeSocket(socket, 1008, 'token expired')).toBe(true);
    // The rest of the frame and the start of the next one arrive in one chunk.
    socket.write(Buffer.concat([frame.subarray(4), binaryFrame('next')]));
    await new Promise((resolve) => socket.once('end', resolve));
    expect(bytes()).toEqual(Buffer.concat([Buffer.from(HANDSHAKE), frame, buildCloseFrame(1008, 'token expired')]));
  });

  it('does nothing on a socket whose upgrade the upstream refused', () => {
    const { socket, bytes } = fakeSocket();
    trackClientSocket(socket);
    socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
    expect(closeSocket(socket, 1001)).toBe(false);
    socket.write('body');
    return new Promise<void>((resolve) => setImmediate(() => {
      expect(bytes().toString()).toBe('HTTP/1.1 401 Unauthorized\r\n\r\nbody');
      resolve();
    }));
  });

  it('refuses untracked and already-closing sockets', () => {
    const { socket } = fakeSocket();
    expect(closeSocket(socket, 1001)).toBe(false);
    trackClientSocket(socket);
    socket.write(HANDSHAKE);
    expect(closeSocket(socket, 1001)).toBe(true);
    expect(closeSocket(socket, 1001)).toBe(false);
  });
});
