// Tracks WebSocket frame boundaries in the upstream→client byte stream (server
// frames are unmasked, RFC 6455 §5.2), so a close frame can be injected between
// frames instead of in the middle of one, and builds that close frame.

export class FrameBoundaryTracker {
  /** Header bytes of the frame being read, until it is complete. */
  #header = Buffer.alloc(14);
  #headerLength = 0;
  /** Payload bytes still to come of the current frame. */
  #remaining = 0;

  /** True between frames: injecting bytes here cannot corrupt the stream. */
  get atBoundary(): boolean {
    return this.#headerLength === 0 && this.#remaining === 0;
  }

  /**
   * Consumes chunk from start; returns the offset just after the first frame that
   * ends inside it, or -1 when the chunk ends mid-frame (state is kept).
   */
  advance(chunk: Uint8Array, start = 0): number {
    let offset = start;
    while (offset < chunk.length) {
      if (this.#remaining > 0) {
        const take = Math.min(this.#remaining, chunk.length - offset);
        this.#remaining -= take;
        offset += take;
        if (this.#remaining === 0) return offset;
        continue;
      }
      this.#header[this.#headerLength++] = chunk[offset++]!;
      const needed = this.#headerSize();
      if (needed === null || this.#headerLength < needed) continue;
      this.#remaining = this.#payloadLength();
      this.#headerLength = 0;
      if (this.#remaining === 0) return offset;
    }
    return -1;
  }

  /** Feeds a whole chunk; returns whether the stream is at a boundary afterwards. */
  feed(chunk: Uint8Array): boolean {
    let offset = 0;
    while (offset < chunk.length) {
      const next = this.advance(chunk, offset);
      if (next === -1) break;
      offset = next;
    }
    return this.atBoundary;
  }

  /** Full header size once enough bytes are known to tell, else null. */
  #headerSize(): number | null {
    if (this.#headerLength < 2) return null;
    const second = this.#header[1]!;
    const masked = (second & 0x80) !== 0 ? 4 : 0;
    const length7 = second & 0x7f;
    return 2 + (length7 === 126 ? 2 : length7 === 127 ? 8 : 0) + masked;
  }

  #payloadLength(): number {
    const length7 = this.#header[1]! & 0x7f;
    if (length7 === 126) return this.#header.readUInt16BE(2);
    if (length7 === 127) return Number(this.#header.readBigUInt64BE(2));
    return length7;
  }
}

/** An unmasked close frame (server → client) with a status code and a reason of at most 123 bytes. */
export function buildCloseFrame(code: number, reason = ''): Buffer {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > 123) text = text.subarray(0, 123);
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88; // FIN + opcode 8 (close)
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}
