import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { setForwardedHeaders, stripClientHeaders } from '../../../../gateway/pipeline/headers.ts';
import { parseTrustedProxies } from '../../../../gateway/config/settings.ts';

describe('stripClientHeaders', () => {
  it.each<[string, IncomingHttpHeaders, IncomingHttpHeaders]>([
    ['identity headers', { 'x-user-id': '1', 'x-user-role': 'admin', 'x-auth-method': 'jwt', 'x-gateway-assertion': 'forged', accept: '*/*' }, { accept: '*/*' }],
    ['hop-by-hop headers', { connection: 'keep-alive', 'keep-alive': 'timeout=5', te: 'trailers', trailer: 'x', upgrade: 'h2c', 'proxy-authorization': 'a', expect: '100-continue', accept: '*/*' }, { accept: '*/*' }],
    ['Connection-nominated headers', { connection: 'close, X-Foo , x-bar', 'x-foo': '1', 'x-bar': '2', 'x-baz': '3' }, { 'x-baz': '3' }],
    ['but never framing headers', { connection: 'content-length, transfer-encoding, host', 'content-length': '5', host: 'h' }, { 'content-length': '5', host: 'h' }],
    ['the Authorization header', { authorization: 'Bearer t', accept: '*/*' }, { accept: '*/*' }],
  ])('removes %s', (_name, input, expected) => {
    const headers = { ...input };
    stripClientHeaders(headers, { isUpgrade: false, forwardAuthorization: false });
    expect(headers).toEqual(expected);
  });

  it('keeps Authorization when the route forwards it', () => {
    const headers: IncomingHttpHeaders = { authorization: 'Bearer t' };
    stripClientHeaders(headers, { isUpgrade: false, forwardAuthorization: true });
    expect(headers).toEqual({ authorization: 'Bearer t' });
  });

  it('keeps the upgrade handshake on WebSocket requests', () => {
    const headers: IncomingHttpHeaders = { connection: 'Upgrade, x-user-id', upgrade: 'websocket', 'sec-websocket-key': 'k', 'x-user-id': '7' };
    stripClientHeaders(headers, { isUpgrade: true, forwardAuthorization: false });
    expect(headers).toEqual({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });

  it('lets identity headers set afterwards survive "Connection: x-user-id"', () => {
    const headers: IncomingHttpHeaders = { connection: 'x-user-id', 'x-user-id': 'forged' };
    stripClientHeaders(headers, { isUpgrade: false, forwardAuthorization: false });
    Object.assign(headers, { 'x-user-id': '42' });
    expect(headers).toEqual({ 'x-user-id': '42' });
  });
});

describe('setForwardedHeaders', () => {
  const trusted = parseTrustedProxies('10.0.0.0/8, ::1');

  it('rebuilds X-Forwarded-* from the peer when it is not trusted', () => {
    const headers: IncomingHttpHeaders = { host: 'api.example.com', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil', forwarded: 'for=1.2.3.4' };
    setForwardedHeaders(headers, { peer: '192.168.1.5', trusted, encrypted: false });
    expect(headers).toEqual({ host: 'api.example.com', 'x-forwarded-for': '192.168.1.5', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'api.example.com' });
  });

  it('appends to X-Forwarded-For and keeps proto/host from a trusted proxy', () => {
    const headers: IncomingHttpHeaders = { host: 'internal', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' };
    setForwardedHeaders(headers, { peer: '::ffff:10.1.2.3', trusted, encrypted: false });
    expect(headers).toMatchObject({ 'x-forwarded-for': '1.2.3.4, 10.1.2.3', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' });
  });

  it('trusts IPv6 peers in the list', () => {
    const headers: IncomingHttpHeaders = { host: 'h', 'x-forwarded-for': '5.6.7.8' };
    setForwardedHeaders(headers, { peer: '::1', trusted, encrypted: true });
    expect(headers).toMatchObject({ 'x-forwarded-for': '5.6.7.8, ::1', 'x-forwarded-proto': 'https' });
  });
});
