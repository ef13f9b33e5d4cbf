// Pins that the gateway's assertion-key derivation and the upstreams' own
// (upstreams/common/assertion.ts) agree: a child given GATEWAY_ASSERTION_SECRET =
// childAssertionSecret(env) verifies exactly what the gateway signs with assertionKey(env).
import { describe, expect, it } from 'vitest';
import { assertionKey, childAssertionSecret } from '../../../../gateway/supervisor/assertion-secret.ts';
import { resolveAssertionSecret } from '../../../../upstreams/common/assertion.ts';

describe('assertion secret handed to children', () => {
  it.each([
    ['an explicit secret', { GATEWAY_ASSERTION_SECRET: 'a'.repeat(40), JWT_SECRET_KEY: 'b'.repeat(40) }],
    ['a derivation from JWT_SECRET_KEY', { JWT_SECRET_KEY: 'b'.repeat(40) }],
    ['a too-short explicit secret (ignored)', { GATEWAY_ASSERTION_SECRET: 'short', JWT_SECRET_KEY: 'c'.repeat(40) }],
    ['nothing configured', {}],
  ])('agrees with the upstream for %s', (_case, env) => {
    const child = { GATEWAY_ASSERTION_SECRET: childAssertionSecret(env) };
    expect(Buffer.from(resolveAssertionSecret(child))).toEqual(Buffer.from(assertionKey(env)));
  });

  it('uses an explicit secret as is, so externally run upstreams can share it', () => {
    expect(Buffer.from(assertionKey({ GATEWAY_ASSERTION_SECRET: 'a'.repeat(40) }))).toEqual(Buffer.from(resolveAssertionSecret({ GATEWAY_ASSERTION_SECRET: 'a'.repeat(40) })));
  });

  it('never hands the JWT secret itself to a child', () => {
    expect(childAssertionSecret({ JWT_SECRET_KEY: 'b'.repeat(40) })).not.toContain('bbbb');
  });
});
