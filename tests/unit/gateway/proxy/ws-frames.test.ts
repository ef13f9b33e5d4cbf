import { describe, expect, it } from 'vitest';
import { buildCloseFrame, FrameBoundaryTracker } from '../../../../gateway/proxy/ws-frames.ts';

/** An unmasked server frame with the given payload length. */
function frame(length: number, opcode = 0x2): Buffer {
  const header = length < 126 ? Buffer.from([0x80 | opcode, length]) : length < 65536 ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]) : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(length)); return b; })()]);
  return Buffer.concat([header, Buffer.alloc(length, 0x61)]);
}

describe('FrameBoundaryTracker', () => {
  it.each([[0], [5], [125], [126], [300], [65_535], [70_000]])('finds the end of a %d-byte frame', (length) => {
    const bytes = frame(length);
    const tracker = new FrameBoundaryTracker();
    expect(tracker.advance(bytes)).toBe(bytes.length);
    expect(tracker.atBoundary).toBe(true);
  });

  it('keeps state across chunks split anywhere, header included', () => {
    const stream = Buffer.concat([frame(3), frame(200), frame(0), frame(70_000), frame(1)]);
    for (const size of [1, 2, 3, 7, 129, 4096]) {
      const tracker = new FrameBoundaryTracker();
      const boundaries: number[] = [];
      for (let offset = 0; offset < stream.length; offset += size) {
        const chunk = stream.subarray(offset, offset + size);
        let at = 0;
        while (at < chunk.length) {
          const next = tracker.advance(chunk, at);
          if (next === -1) break;
          boundaries.push(offset + next);
          at = next;
        }
      }
      expect(boundaries).toEqual([5, 5 + 204, 5 + 204 + 2, 5 + 204 + 2 + 70_010, stream.length]);
    }
  });

  it('is mid-frame after part of a frame', () => {
    const tracker = new FrameBoundaryTracker();
    expect(tracker.feed(frame(10).subarray(0, 6))).toBe(false);
    expect(tracker.feed(frame(10).subarray(6))).toBe(true);
  });

  it('skips a masking key when a frame is masked', () => {
    const masked = Buffer.concat([Buffer.from([0x81, 0x80 | 3, 1, 2, 3, 4]), Buffer.from('abc')]);
    expect(new FrameBoundaryTracker().advance(masked)).toBe(masked.length);
  });
});

describe('buildCloseFrame', () => {
  it('encodes code and reason unmasked', () => {
    expect(buildCloseFrame(1001, 'bye')).toEqual(Buffer.from([0x88, 5, 0x03, 0xe9, 0x62, 0x79, 0x65]));
  });

  it('truncates the reason to 123 bytes so the frame stays a control frame', () => {
    const frame = buildCloseFrame(1008, 'x'.repeat(300));
    expect(frame[1]).toBe(125);
    expect(frame.length).toBe(127);
  });
});
