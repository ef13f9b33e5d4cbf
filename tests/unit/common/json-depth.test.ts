// The JSON nesting limit (issue 10 finding #7): the gateway's and the upstreams'
// copies agree, strings and escapes do not count, and the scan never recurses.
import { describe, expect, it } from 'vitest';
import * as gatewayCopy from '../../../gateway/http/json-depth.ts';
import * as upstreamCopy from '../../../upstreams/common/json-depth.ts';
import { parseLoginBody } from '../../../gateway/auth/login-request.ts';

const nested = (depth: number, open = '[', close = ']') => open.repeat(depth) + close.repeat(depth);

describe.each([['gateway', gatewayCopy], ['upstreams', upstreamCopy]])('jsonTooDeep (%s copy)', (_name, copy) => {
  it('allows 64 levels and refuses 65, objects and arrays mixed', () => {
    expect(copy.MAX_JSON_DEPTH).toBe(64);
    expect(copy.jsonTooDeep(nested(64))).toBe(false);
    expect(copy.jsonTooDeep(nested(65))).toBe(true);
    expect(copy.jsonTooDeep('{"a":'.repeat(40) + nested(25) + '}'.repeat(40))).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(copy.jsonTooDeep(JSON.stringify({ text: '['.repeat(1000) }))).toBe(false);
    expect(copy.jsonTooDeep(JSON.stringify({ text: '\\"' + '{'.repeat(1000) }))).toBe(false);
  });

  it('scans 10 000 and 1 000 000 levels without recursing', () => {
    expect(copy.jsonTooDeep(nested(10_000, '{"a":', '}'))).toBe(true);
    expect(copy.jsonTooDeep(nested(1_000_000))).toBe(true);
  });
});

describe('gateway login body', () => {
  it.each([4400, 10_000])('answers 422 json_too_deep for a JSON body nested %i deep', (depth) => {
    const body = Buffer.from(`{"username":"a@b","password":"x","extra":${nested(depth)}}`);
    const parsed = parseLoginBody('application/json', body);
    expect(parsed).toMatchObject({ ok: false, status: 422, detail: [{ type: 'json_too_deep', loc: ['body'], msg: 'JSON nested deeper than 64 levels' }] });
  });
});
