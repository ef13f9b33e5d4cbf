import { describe, expect, it } from 'vitest';
import { errors, GatewayError, toGatewayError } from '../../../../gateway/pipeline/errors.ts';

describe('error catalogue', () => {
  it.each([
    [errors.badPath('dot segment'), 'BAD_PATH', 400, 'Invalid path: dot segment'],
    [errors.webSocketNotAllowed(), 'WEBSOCKET_NOT_ALLOWED', 400, 'WebSocket upgrades are not allowed on this route'],
    [errors.unauthorized(), 'UNAUTHORIZED', 401, 'Not authenticated'],
    [errors.forbidden(), 'FORBIDDEN', 403, 'Admin access required'],
    [errors.notFound(), 'NOT_FOUND', 404, 'Not Found'],
    [errors.methodNotAllowed(['GET']), 'METHOD_NOT_ALLOWED', 405, 'Method Not Allowed'],
    [errors.payloadTooLarge(10), 'PAYLOAD_TOO_LARGE', 413, 'Request body too large (limit 10 bytes)'],
    [errors.headersTooLarge(), 'HEADERS_TOO_LARGE', 431, 'Request header fields too large'],
    [errors.internal(), 'INTERNAL', 500, 'Internal Server Error'],
    [errors.badGateway('orm', 'refused the connection'), 'BAD_GATEWAY', 502, 'Upstream orm refused the connection'],
    [errors.upstreamDown('orm', 'restarting', 2), 'UPSTREAM_UNAVAILABLE', 503, 'Upstream orm is unavailable: restarting'],
    [errors.shuttingDown(), 'SHUTTING_DOWN', 503, 'Gateway is shutting down'],
    [errors.gatewayTimeout('orm'), 'GATEWAY_TIMEOUT', 504, 'Upstream orm did not answer in time'],
  ])('%#: %s is %d', (error, code, status, detail) => {
    expect(error).toBeInstanceOf(GatewayError);
    expect({ code: error.code, status: error.status, detail: error.detail }).toEqual({ code, status, detail });
  });

  it('puts challenges and retry hints in headers', () => {
    expect(errors.unauthorized().headers).toEqual({ 'www-authenticate': 'Bearer' });
    expect(errors.upstreamDown('orm', null, 2.2).headers).toEqual({ 'retry-after': '3' });
    expect(errors.methodNotAllowed(['GET', 'POST']).headers).toEqual({ allow: 'GET, POST' });
  });

  it('maps shaped errors from local handlers and hides unknown ones as 500', () => {
    expect(toGatewayError({ status: 409, detail: 'already running', code: 'CONFLICT' })).toMatchObject({ status: 409, detail: 'already running', code: 'CONFLICT' });
    expect(toGatewayError(new Error('secret stack'))).toMatchObject({ status: 500, detail: 'Internal Server Error' });
  });
});
