import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { setForwardedHeaders, stripClientHeaders } from '../../../../gateway/pipeline/headers.ts';
import { parseTrustedProxies } from '../../../../gateway/config/settings.ts';

describe('stripClientHeaders', () => {
  it.each<[string, IncomingHttpHeaders, IncomingHttpHeaders]>([
    ['identity headers', { 'x-user-id': '1', 'x-user-role': 'admin', 'x-auth-method': 'jwt', 'x-gateway-assertion': 'forged', 'x-username': 'kept', accept: '*/*' }, { 'x-username': 'kept', accept: '*/*' }],
    ['hop-by-hop headers and Forwarded', { connection: 'keep-alive', 'keep-alive': 'timeout=5', te: 'trailers', trailer: 'x', upgrade: 'h2c', 'proxy-authorization': 'a', expect: '100-continue', forwarded: 'for=1.2.3.4', accept: '*/*' }, { accept: '*/*' }],
    ['Connection-nominated headers', { connection: 'close, X-Foo , x-bar', 'x-foo': '1', 'x-bar': '2', 'x-baz': '3' }, { 'x-baz': '3' }],
    ['but never framing headers', { connection: 'content-length, transfer-encoding, host', 'content-length': '5', host: 'h' }, { 'content-length': '5', host: 'h' }],
    ['the Authorization header', { authorization: 'Bearer t', accept: '*/*' }, { accept: '*/*' }],
    ['the X-API-Key header (issue 10 #3)', { 'x-api-key': 'k', accept: '*/*' }, { accept: '*/*' }],
  ])('removes %s', (_name, input, expected) => {
    const headers = stripClientHeaders(input, { isUpgrade: false, forwardAuthorization: false });
    expect(headers).toEqual(expected);
  });

  it('returns a new object and leaves the client headers alone', () => {
    const client: IncomingHttpHeaders = { connection: 'close', 'x-user-id': '1', accept: '*/*' };
    const headers = stripClientHeaders(client, { isUpgrade: false, forwardAuthorization: false });
    expect(headers).not.toBe(client);
    expect(client).toEqual({ connection: 'close', 'x-user-id': '1', accept: '*/*' });
  });

  it('keeps Authorization when the route forwards it', () => {
    expect(stripClientHeaders({ authorization: 'Bearer t' }, { isUpgrade: false, forwardAuthorization: true })).toEqual({ authorization: 'Bearer t' });
    expect(stripClientHeaders({ 'x-api-key': 'k' }, { isUpgrade: false, forwardAuthorization: true })).toEqual({ 'x-api-key': 'k' });
  });

  it('keeps the upgrade handshake on WebSocket requests', () => {
    const headers = stripClientHeaders({ connection: 'Upgrade, x-user-id', upgrade: 'websocket', 'sec-websocket-key': 'k', 'x-user-id': '7' }, { isUpgrade: true, forwardAuthorization: false });
    expect(headers).toEqual({ connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': 'k' });
  });

  it('lets identity headers set afterwards survive "Connection: x-user-id"', () => {
    const headers = stripClientHeaders({ connection: 'x-user-id', 'x-user-id': 'forged' }, { isUpgrade: false, forwardAuthorization: false });
    Object.assign(headers, { 'x-user-id': '42' });
    expect(headers).toEqual({ 'x-user-id': '42' });
  });
});

describe('setForwardedHeaders', () => {
  const trusted = parseTrustedProxies('10.0.0.0/8, ::1');

  it('rebuilds X-Forwarded-* from the peer when it is not trusted', () => {
    const client: IncomingHttpHeaders = { host: 'api.example.com', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil' };
    const headers = { ...client };
    setForwardedHeaders(headers, { peer: '192.168.1.5', trusted, encrypted: false, client });
    expect(headers).toEqual({ host: 'api.example.com', 'x-forwarded-for': '192.168.1.5', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'api.example.com' });
  });

  it('appends to X-Forwarded-For and keeps proto/host from a trusted proxy', () => {
    const client: IncomingHttpHeaders = { host: 'internal', 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' };
    const headers: IncomingHttpHeaders = {};
    setForwardedHeaders(headers, { peer: '::ffff:10.1.2.3', trusted, encrypted: false, client });
    expect(headers).toMatchObject({ 'x-forwarded-for': '1.2.3.4, 10.1.2.3', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example.com' });
  });

  it('rebuilds when no proxy is trusted at all (null list)', () => {
    const headers: IncomingHttpHeaders = {};
    setForwardedHeaders(headers, { peer: '10.1.2.3', trusted: null, encrypted: false, client: { host: 'h', 'x-forwarded-for': '1.1.1.1' } });
    expect(headers).toEqual({ 'x-forwarded-for': '10.1.2.3', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'h' });
  });

  it('trusts IPv6 peers in the list', () => {
    const headers: IncomingHttpHeaders = {};
    setForwardedHeaders(headers, { peer: '::1', trusted, encrypted: true, client: { host: 'h', 'x-forwarded-for': '5.6.7.8' } });
    expect(headers).toMatchObject({ 'x-forwarded-for': '5.6.7.8, ::1', 'x-forwarded-proto': 'https' });
  });
});
