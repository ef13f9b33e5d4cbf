// A service's kept output as a resuming log stream reads it: the lines after an id,
// and whether some after it are not here (dropped, or from before the buffer existed).
import { describe, expect, it } from 'vitest';
import { LineBuffer } from '../../../../gateway/supervisor/line-buffer.ts';

const print = (buffer: LineBuffer, line: string) => buffer.push({ at: Date.now(), stream: 'stdout', pid: 4242, generation: 1, line }).id;
const msgs = (buffer: LineBuffer, afterId: number) => buffer.recordsAfter(afterId).records.map((record) => record.entry.msg);

describe('LineBuffer.recordsAfter', () => {
  it('gives the kept lines after an id, with no gap while nothing after it was dropped', () => {
    const buffer = new LineBuffer(3);
    const [one, two] = [print(buffer, 'one'), print(buffer, 'two'), print(buffer, 'three')];
    expect(msgs(buffer, one!)).toEqual(['two', 'three']);
    expect(buffer.recordsAfter(one!).gap).toBe(false);
    print(buffer, 'four');
    // "one" made room: resuming after it misses nothing ("two" is still here); after an older id, something.
    expect(buffer.recordsAfter(one!)).toMatchObject({ gap: false });
    expect(msgs(buffer, two!)).toEqual(['three', 'four']);
    expect(buffer.recordsAfter(one! - 1).gap).toBe(true);
  });

  it('has a gap for an id from before it existed: a service added back by a reload starts a new buffer', () => {
    const before = new LineBuffer();
    const seen = print(before, 'seen by the client');
    print(before, 'written while it was away');
    const after = new LineBuffer();
    print(after, 'the new incarnation\'s first line');
    expect(after.recordsAfter(seen)).toMatchObject({ gap: true });
    expect(msgs(after, seen)).toEqual(['the new incarnation\'s first line']);
    // A client that had seen everything before the new buffer: nothing missing.
    const upToDate = print(before, 'the old incarnation\'s last line');
    const again = new LineBuffer();
    expect(again.recordsAfter(upToDate)).toEqual({ records: [], gap: false });
  });
});
