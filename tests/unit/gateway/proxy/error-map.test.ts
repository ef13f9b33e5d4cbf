import { describe, expect, it } from 'vitest';
import { mapUpstreamError } from '../../../../gateway/proxy/error-map.ts';

const err = (code: string) => Object.assign(new Error(code), { code });
const facts = { upstream: 'orm', timedOut: false, clientGone: false };

describe('mapUpstreamError', () => {
  it.each([
    ['ECONNREFUSED', 502, 'Upstream orm refused the connection', true],
    ['ECONNRESET', 502, 'Upstream orm closed the connection', true],
    ['EPIPE', 502, 'Upstream orm closed the connection', true],
    ['ECONNECT_TIMEOUT', 504, 'Upstream orm could not be reached in time', true],
    ['HPE_INVALID_HEADER_TOKEN', 502, 'Upstream orm sent an invalid response', false],
    ['EWHATEVER', 502, 'Upstream orm failed', false],
  ])('%s → %d', (code, status, detail, connectionFailure) => {
    const mapped = mapUpstreamError(err(code), facts);
    expect({ status: mapped.error.status, detail: mapped.error.detail, connectionFailure: mapped.connectionFailure }).toEqual({ status, detail, connectionFailure });
  });

  it('maps our own deadline to 504 and a gone client to 499 whatever the error', () => {
    expect(mapUpstreamError(err('ECONNRESET'), { ...facts, timedOut: true }).error.status).toBe(504);
    expect(mapUpstreamError(err('ECONNRESET'), { ...facts, clientGone: true }).error.status).toBe(499);
  });
});
