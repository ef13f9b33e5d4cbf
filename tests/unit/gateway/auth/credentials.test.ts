import { describe, expect, it } from 'vitest';
import { extractCredential, readProtocolToken } from '../../../../gateway/auth/credentials.ts';
import { fakeRequest, urlOf } from './support/auth-fixtures.ts';

const T1 = 'aaa.bbb.ccc';
const T2 = 'ddd.eee.fff';

describe('extractCredential', () => {
  it.each<[string, Array<[string, string]>, string, boolean, unknown]>([
    ['no credentials', [], '/x', false, { kind: 'none' }],
    ['a bearer header', [['Authorization', `Bearer ${T1}`]], '/x', false, { kind: 'bearer', token: T1, source: 'header' }],
    ['a lower-case scheme', [['authorization', `bearer ${T1}`]], '/x', false, { kind: 'bearer', token: T1, source: 'header' }],
    ['an API key', [['X-API-Key', 'fullon_ak_abc']], '/x', false, { kind: 'api_key', key: 'fullon_ak_abc' }],
    ['a bearer header and an API key (the token wins)', [['Authorization', `Bearer ${T1}`], ['X-API-Key', 'fullon_ak_abc']], '/x', false, { kind: 'bearer', token: T1, source: 'header' }],
    ['two Authorization headers', [['Authorization', `Bearer ${T1}`], ['Authorization', `Bearer ${T2}`]], '/x', false, { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' }],
    ['two identical Authorization headers', [['Authorization', `Bearer ${T1}`], ['authorization', `Bearer ${T1}`]], '/x', false, { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' }],
    ['two X-API-Key headers', [['X-API-Key', 'fullon_ak_a'], ['x-api-key', 'fullon_ak_b']], '/x', false, { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' }],
    ['Bearer without a token', [['Authorization', 'Bearer ']], '/x', false, { kind: 'invalid', code: 'INVALID_TOKEN' }],
    ['Bearer with two tokens', [['Authorization', `Bearer ${T1} ${T2}`]], '/x', false, { kind: 'invalid', code: 'INVALID_TOKEN' }],
    ['Bearer with a comma list', [['Authorization', `Bearer ${T1}, Bearer ${T2}`]], '/x', false, { kind: 'invalid', code: 'INVALID_TOKEN' }],
    ['Basic auth', [['Authorization', 'Basic dXNlcjpwYXNz']], '/x', false, { kind: 'invalid', code: 'UNSUPPORTED_SCHEME' }],
    ['an empty API key', [['X-API-Key', '  ']], '/x', false, { kind: 'invalid', code: 'INVALID_API_KEY' }],
    ['?token= on a plain HTTP request (ignored)', [], `/x?token=${T1}`, false, { kind: 'none' }],
    ['?token= on an upgrade', [], `/x?token=${T1}`, true, { kind: 'bearer', token: T1, source: 'query' }],
    ['header and query agreeing', [['Authorization', `Bearer ${T1}`]], `/x?token=${T1}`, true, { kind: 'bearer', token: T1, source: 'header' }],
    ['header and query differing', [['Authorization', `Bearer ${T1}`]], `/x?token=${T2}`, true, { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' }],
    ['two differing ?token=', [], `/x?token=${T1}&token=${T2}`, true, { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' }],
    ['an empty ?token=', [], '/x?token=', true, { kind: 'invalid', code: 'INVALID_TOKEN' }],
    ['the bearer subprotocol', [['Sec-WebSocket-Protocol', `bearer, ${T1}`]], '/x', true, { kind: 'bearer', token: T1, source: 'protocol' }],
    ['the bearer subprotocol without a token', [['Sec-WebSocket-Protocol', 'bearer']], '/x', true, { kind: 'invalid', code: 'INVALID_TOKEN' }],
    ['subprotocol and query differing', [['Sec-WebSocket-Protocol', `bearer, ${T1}`]], `/x?token=${T2}`, true, { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' }],
    ['subprotocol and header differing', [['Sec-WebSocket-Protocol', `bearer, ${T1}`], ['Authorization', `Bearer ${T2}`]], '/x', true, { kind: 'invalid', code: 'AMBIGUOUS_CREDENTIALS' }],
    ['an API key on an upgrade', [['X-API-Key', 'fullon_ak_abc']], '/x', true, { kind: 'api_key', key: 'fullon_ak_abc' }],
    ['other subprotocols only', [['Sec-WebSocket-Protocol', 'graphql-ws']], '/x', true, { kind: 'none' }],
  ])('%s', (_name, headers, path, isUpgrade, expected) => {
    expect(extractCredential(fakeRequest(headers), urlOf(path), isUpgrade)).toEqual(expected);
  });
});

describe('extractCredential, one header after another', () => {
  // The last bearer header is remembered (credentials.ts): each answer must still be its own header's.
  const bearer = (value: string) => extractCredential(fakeRequest([['Authorization', value]]), urlOf('/x'), false);

  it('gives each request its own token, whatever came before', () => {
    expect(bearer(`Bearer ${T1}`)).toEqual({ kind: 'bearer', token: T1, source: 'header' });
    expect(bearer(`Bearer ${T1}`)).toEqual({ kind: 'bearer', token: T1, source: 'header' });
    expect(bearer(`Bearer ${T2}`)).toEqual({ kind: 'bearer', token: T2, source: 'header' });
    expect(bearer(`Bearer ${T1}`)).toEqual({ kind: 'bearer', token: T1, source: 'header' });
  });

  it('refuses a malformed header right after a good one', () => {
    expect(bearer(`Bearer ${T1}`)).toEqual({ kind: 'bearer', token: T1, source: 'header' });
    expect(bearer(`Bearer ${T1} ${T2}`)).toEqual({ kind: 'invalid', code: 'INVALID_TOKEN' });
    expect(bearer(`Basic ${T1}`)).toEqual({ kind: 'invalid', code: 'UNSUPPORTED_SCHEME' });
    expect(bearer(`Bearer ${T1}`)).toEqual({ kind: 'bearer', token: T1, source: 'header' });
  });

  it('finds the header under any spelling of its name', () => {
    for (const name of ['Authorization', 'authorization', 'AUTHORIZATION', 'AuThOrIzAtIoN']) {
      expect(extractCredential(fakeRequest([[name, `Bearer ${T1}`]]), urlOf('/x'), false)).toEqual({ kind: 'bearer', token: T1, source: 'header' });
    }
    for (const name of ['X-API-Key', 'x-api-key', 'X-Api-Key']) {
      expect(extractCredential(fakeRequest([[name, 'fullon_ak_abc']]), urlOf('/x'), false)).toEqual({ kind: 'api_key', key: 'fullon_ak_abc' });
    }
  });
});

describe('readProtocolToken', () => {
  it.each<[string | string[] | undefined, string | null]>([
    [undefined, null],
    ['chat', null],
    [`bearer, ${T1}`, T1],
    [`chat, bearer, ${T1}`, T1],
    [['bearer', T1], T1],
    ['bearer', ''],
  ])('%j → %j', (header, expected) => {
    expect(readProtocolToken(header)).toBe(expected);
  });
});
