// The HTTP/1.1 view of an HTTP/2 request (gateway/http/h2-request.ts): pseudo-headers
// out, Host from :authority, a body without a length marked chunked, method and url
// still read from the pseudo-headers, and the header block measured as HTTP/1.1 counts it.
import type { Http2ServerRequest } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { adaptHttp2Request, headerBlockSize } from '../../../../gateway/http/h2-request.ts';

/** A stand-in with the compat request's shape: headers and url/method are getters over one pseudo-header map. */
function fakeRequest(headers: Record<string, string>, endAfterHeaders: boolean): Http2ServerRequest {
  const map = { ...headers };
  const raw = Object.entries(headers).flat();
  const proto = {
    get headers() {
      return map;
    },
    get method() {
      return map[':method'];
    },
    get url() {
      return map[':path'];
    },
    get authority() {
      return map[':authority'];
    },
  };
  return Object.assign(Object.create(proto), { rawHeaders: raw, stream: { endAfterHeaders }, httpVersionMajor: 2 }) as Http2ServerRequest;
}

describe('adaptHttp2Request', () => {
  it('drops pseudo-headers, takes Host from :authority and keeps the rest', () => {
    const req = fakeRequest({ ':method': 'GET', ':path': '/a?b=1', ':authority': 'api.example.com', ':scheme': 'https', 'x-one': '1' }, true);
    adaptHttp2Request(req);
    expect(req.headers).toEqual({ host: 'api.example.com', 'x-one': '1' });
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/a?b=1');
  });

  it.each([
    ['a body without content-length is chunked', { ':method': 'POST', ':path': '/' }, false, 'chunked'],
    ['a declared length stays as it is', { ':method': 'POST', ':path': '/', 'content-length': '5' }, false, undefined],
    ['no body, no framing header', { ':method': 'GET', ':path': '/' }, true, undefined],
  ])('%s', (_name, headers, endAfterHeaders, expected) => {
    const req = fakeRequest(headers, endAfterHeaders);
    adaptHttp2Request(req);
    expect(req.headers['transfer-encoding']).toBe(expected);
  });

  it('lets stages replace the headers object afterwards (the compat getter cannot be assigned)', () => {
    const req = fakeRequest({ ':method': 'GET', ':path': '/' }, true);
    adaptHttp2Request(req);
    (req as { headers: object }).headers = { replaced: 'yes' };
    expect(req.headers).toEqual({ replaced: 'yes' });
  });

  it('keeps a Host the client sent next to :authority', () => {
    const req = fakeRequest({ ':method': 'GET', ':path': '/', ':authority': 'a.example', host: 'a.example' }, true);
    adaptHttp2Request(req);
    expect(req.headers.host).toBe('a.example');
  });
});

describe('headerBlockSize', () => {
  it('counts name, value and ": " + CRLF per field, as an HTTP/1.1 header block', () => {
    const req = fakeRequest({ ':method': 'GET', 'x-a': 'bc' }, true);
    expect(headerBlockSize(req)).toBe(7 + 3 + 4 + 3 + 2 + 4);
  });
});
