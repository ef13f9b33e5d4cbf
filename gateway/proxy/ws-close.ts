// Closing a proxied WebSocket from the gateway (1001 on shutdown, 1008 when a
// token expires). http-proxy-3 pipes raw bytes, so the client socket's write is
// wrapped: frames are tracked (ws-frames.ts) and the close frame goes out only
// at a frame boundary, after which upstream bytes are dropped and the socket ends.
import type { Duplex } from 'node:stream';
import type { RequestContext } from '../pipeline/context.ts';
import { buildCloseFrame, FrameBoundaryTracker } from './ws-frames.ts';

type Phase = 'handshake' | 'frames' | 'closing' | 'passthrough';

export const WS_CLOSE_DEFAULTS = {
  /** A frame that never finishes (stalled upstream) must not keep a close pending forever. */
  pendingCloseTimeoutMs: 5000,
};

interface SocketState {
  phase: Phase;
  tracker: FrameBoundaryTracker;
  pendingClose: Buffer | null;
  /** The socket's own write, bypassing the wrapper. */
  rawWrite: (chunk: unknown, ...rest: unknown[]) => boolean;
}

const states = new WeakMap<Duplex, SocketState>();

/**
 * Wraps socket.write before http-proxy-3 writes the 101 response to it. The first
 * write decides: "HTTP/1.1 101" starts frame tracking; anything else (the upstream
 * refused the upgrade) passes through untouched.
 */
export function trackClientSocket(socket: Duplex): void {
  if (states.has(socket)) return;
  const rawWrite = socket.write.bind(socket) as SocketState['rawWrite'];
  const state: SocketState = { phase: 'handshake', tracker: new FrameBoundaryTracker(), pendingClose: null, rawWrite };
  states.set(socket, state);
  socket.write = function writeTracked(chunk: unknown, ...rest: unknown[]): boolean {
    if (state.phase === 'passthrough') return rawWrite(chunk, ...rest);
    if (state.phase === 'handshake') {
      const head = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1', 0, 12) : '';
      state.phase = head.startsWith('HTTP/1.1 101') ? 'frames' : 'passthrough';
      return rawWrite(chunk, ...rest);
    }
    if (state.phase === 'closing') return true; // after our close frame nothing else may follow
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array);
    if (state.pendingClose === null) {
      state.tracker.feed(bytes);
      return rawWrite(bytes, ...rest);
    }
    const boundary = state.tracker.advance(bytes);
    if (boundary === -1) return rawWrite(bytes, ...rest);
    rawWrite(bytes.subarray(0, boundary));
    finishClose(socket, state);
    return true;
  } as typeof socket.write;
}

/** True once the upstream accepted the upgrade and frames are flowing. */
export function isUpgraded(socket: Duplex): boolean {
  return states.get(socket)?.phase === 'frames';
}

/**
 * Sends a close frame (code, reason) to the client at the next frame boundary and
 * ends the connection. Returns false when the socket is not an open proxied WebSocket.
 */
export function closeSocket(target: RequestContext | Duplex, code: number, reason = ''): boolean {
  const socket = 'req' in target ? target.socket : target;
  if (!socket || socket.destroyed) return false;
  const state = states.get(socket);
  if (!state || state.phase !== 'frames' || state.pendingClose) return false;
  state.pendingClose = buildCloseFrame(code, reason);
  if (state.tracker.atBoundary) finishClose(socket, state);
  else setTimeout(() => socket.destroy(), WS_CLOSE_DEFAULTS.pendingCloseTimeoutMs).unref();
  return true;
}

function finishClose(socket: Duplex, state: SocketState): void {
  state.phase = 'closing';
  state.rawWrite(state.pendingClose);
  // FIN after the frame: the client answers with its close frame and sees the end.
  socket.end();
  setTimeout(() => socket.destroy(), WS_CLOSE_DEFAULTS.pendingCloseTimeoutMs).unref();
}
