// The Last-Event-ID a resuming log-stream client sends: a line id back, or a reason for the 422.
import { describe, expect, it } from 'vitest';
import { parseLastEventId } from '../../../../gateway/services-api/log-stream-route.ts';

const WHY = 'Last-Event-ID must be the id of a line a log stream sent (a whole number)';

describe('parseLastEventId', () => {
  it('reads a line id, and nothing from an absent or empty header (no EventSource sends an empty one)', () => {
    expect(parseLastEventId('1796092872418067')).toBe(1796092872418067);
    expect(parseLastEventId('0')).toBe(0);
    expect(parseLastEventId(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(parseLastEventId(undefined)).toBeUndefined();
    expect(parseLastEventId('')).toBeUndefined();
  });

  it('refuses anything but a safe whole number, a repeated header included', () => {
    for (const bad of ['abc', '-1', '1.5', '1e3', '0x10', '+7', '9007199254740993', '99999999999999999', '١٢', ['1', '2']]) expect(parseLastEventId(bad)).toBe(WHY);
  });
});
