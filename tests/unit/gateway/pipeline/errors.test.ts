// Pins every code of the gateway's one error catalogue (as fastify's error-code
// table test does): a change of status, text or headers is a visible API change.
import { describe, expect, it } from 'vitest';
import { CATALOGUE, errors, gatewayError, GatewayError, toGatewayError, type ErrorCode } from '../../../../gateway/pipeline/errors.ts';

const CLOSE = { connection: 'close' };

const PINNED: Record<ErrorCode, [number, string, Record<string, string>?]> = {
  BAD_REQUEST: [400, 'Bad Request', CLOSE],
  BAD_FRAMING: [400, 'Invalid request framing', CLOSE],
  BAD_HOST: [400, 'Exactly one Host header required', CLOSE],
  BAD_CHUNK: [400, 'Invalid chunked body', CLOSE],
  CONNECT_NOT_SUPPORTED: [400, 'CONNECT is not supported', CLOSE],
  PLAIN_HTTP_ON_TLS_PORT: [400, 'This port speaks HTTPS: the plain HTTP request was refused; use https://', CLOSE],
  BAD_PATH: [400, 'Invalid path'],
  BODY_ABORTED: [400, 'Request body could not be read', CLOSE],
  WEBSOCKET_ONLY: [400, 'Only WebSocket upgrades are supported'],
  WEBSOCKET_NOT_ALLOWED: [400, 'WebSocket upgrades are not allowed on this route'],
  UNAUTHORIZED: [401, 'Not authenticated', { 'www-authenticate': 'Bearer' }],
  INVALID_TOKEN: [401, 'Invalid or expired token', { 'www-authenticate': 'Bearer error="invalid_token"' }],
  INVALID_API_KEY: [401, 'Invalid API key', { 'www-authenticate': 'Bearer' }],
  INVALID_CREDENTIALS: [401, 'Invalid credentials', { 'www-authenticate': 'Bearer' }],
  UNSUPPORTED_SCHEME: [401, 'Unsupported authorization scheme', { 'www-authenticate': 'Bearer' }],
  AMBIGUOUS_CREDENTIALS: [400, 'Conflicting credentials in request', { 'www-authenticate': 'Bearer error="invalid_request"' }],
  FORBIDDEN: [403, 'Admin access required', { 'www-authenticate': 'Bearer error="insufficient_scope"' }],
  INVALID_QUERY: [422, 'Invalid query parameter'],
  VALIDATION_FAILED: [422, 'Validation error'],
  UNSUPPORTED_MEDIA_TYPE: [415, 'Unsupported media type'],
  LOGIN_THROTTLED: [429, 'Too many failed logins; try again later'],
  NOT_FOUND: [404, 'Not Found'],
  METHOD_NOT_ALLOWED: [405, 'Method Not Allowed'],
  REQUEST_TIMEOUT: [408, 'Request timeout', CLOSE],
  PAYLOAD_TOO_LARGE: [413, 'Request body too large', CLOSE],
  CHUNK_EXTENSIONS_TOO_LARGE: [413, 'Chunk extensions too large', CLOSE],
  HEADERS_TOO_LARGE: [431, 'Request header fields too large', CLOSE],
  CLIENT_CLOSED: [499, 'Client closed request'],
  RATE_LIMITED: [429, 'Rate limit exceeded'],
  RATE_LIMIT_UNAVAILABLE: [503, 'Rate limit store unavailable', { 'retry-after': '1' }],
  SERVICE_NOT_FOUND: [404, 'Service not found'],
  SERVICE_CONFLICT: [409, 'Service is not in a state for this action'],
  SERVICE_START_FAILED: [503, 'Service failed to start'],
  LOG_STREAMS_BUSY: [503, 'Too many log streams are open; try again later', { 'retry-after': '5' }],
  INTERNAL: [500, 'Internal Server Error'],
  BAD_GATEWAY: [502, 'Upstream failed'],
  UPSTREAM_UNAVAILABLE: [503, 'Upstream is unavailable'],
  AUTH_UPSTREAM_UNAVAILABLE: [503, 'Authentication service unavailable', { 'retry-after': '1' }],
  SHUTTING_DOWN: [503, 'Gateway is shutting down', { 'retry-after': '1', connection: 'close' }],
  GATEWAY_TIMEOUT: [504, 'Upstream did not answer in time'],
};

describe('error catalogue', () => {
  it('has exactly the pinned codes', () => {
    expect(Object.keys(CATALOGUE).sort()).toEqual(Object.keys(PINNED).sort());
  });

  it.each(Object.entries(PINNED))('%s is %j', (code, [status, detail, headers]) => {
    const error = gatewayError(code as ErrorCode);
    expect(error).toBeInstanceOf(GatewayError);
    expect({ code: error.code, status: error.status, detail: error.detail, headers: error.headers }).toEqual({ code, status, detail, headers: headers ?? {} });
  });

  it.each([
    [errors.badPath('dot segment'), 'BAD_PATH', 400, 'Invalid path: dot segment'],
    [errors.methodNotAllowed(['GET']), 'METHOD_NOT_ALLOWED', 405, 'Method Not Allowed'],
    [errors.payloadTooLarge(10), 'PAYLOAD_TOO_LARGE', 413, 'Request body too large (limit 10 bytes)'],
    [errors.badGateway('orm', 'refused the connection'), 'BAD_GATEWAY', 502, 'Upstream orm refused the connection'],
    [errors.upstreamDown('orm', 'restarting', 2), 'UPSTREAM_UNAVAILABLE', 503, 'Upstream orm is unavailable: restarting'],
    [errors.upstreamDown('orm', null, 2), 'UPSTREAM_UNAVAILABLE', 503, 'Upstream orm is unavailable'],
    [errors.serviceNotFound('orm_api'), 'SERVICE_NOT_FOUND', 404, "Service 'orm_api' not found"],
    [errors.logStreamsBusy(64), 'LOG_STREAMS_BUSY', 503, 'Too many log streams are open (at most 64 per gateway worker, LOG_STREAMS_MAX); try again later'],
    [errors.gatewayTimeout('orm'), 'GATEWAY_TIMEOUT', 504, 'Upstream orm did not answer in time'],
  ])('%#: a named constructor keeps its code (%s)', (error, code, status, detail) => {
    expect({ code: error.code, status: error.status, detail: error.detail }).toEqual({ code, status, detail });
  });

  it('adds request-dependent headers to the entry’s own', () => {
    expect(errors.upstreamDown('orm', null, 2.2).headers).toEqual({ 'retry-after': '3' });
    expect(errors.loginThrottled(0.2).headers).toEqual({ 'retry-after': '1' });
    expect(errors.methodNotAllowed(['GET', 'POST']).headers).toEqual({ allow: 'GET, POST' });
  });

  it('never shares a headers object between errors', () => {
    const first = gatewayError('UNAUTHORIZED');
    first.headers['x-test'] = '1';
    expect(gatewayError('UNAUTHORIZED').headers).toEqual({ 'www-authenticate': 'Bearer' });
  });

  it('turns anything that is not a catalogue error into a 500 that hides it', () => {
    expect(toGatewayError(new Error('secret stack'))).toMatchObject({ code: 'INTERNAL', status: 500, detail: 'Internal Server Error' });
    expect(toGatewayError({ status: 409, detail: 'shaped' })).toMatchObject({ code: 'INTERNAL', status: 500 });
  });
});
