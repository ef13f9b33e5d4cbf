// The rate-limit stage over the in-memory store: the IETF fields on counted
// answers, the token bucket's burst, the three ways of counting, admins, upgrades
// and what a reload does to the counts. Redis (shared counts, outages) is in
// tests/integration/gateway/ratelimit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { AuthenticatedUser, EdgeAuth } from '../../../../../gateway/auth/types.ts';
import { parseTrustedProxies } from '../../../../../gateway/config/settings.ts';
import type { RateLimitConfig, RouteConfig } from '../../../../../gateway/config/types.ts';
import { createGatewayLogger } from '../../../../../gateway/logging/logger.ts';
import { createContext, type RequestContext } from '../../../../../gateway/pipeline/context.ts';
import { GatewayError } from '../../../../../gateway/pipeline/errors.ts';
import { limitRate } from '../../../../../gateway/pipeline/stages/rate-limit.ts';
import { RateLimitStore } from '../../../../../gateway/ratelimit/store.ts';

const auth: EdgeAuth = { authenticate: async () => ({ kind: 'anonymous' }), isAdmin: (user) => user.role === 'admin', identityHeaders: async () => ({}) };
const user = (userId: number, extra: Partial<AuthenticatedUser> = {}): AuthenticatedUser => ({
  userId, email: `u${userId}@example.com`, name: 'U', role: 'user', scopes: [], authMethod: 'jwt', expiresAt: null, ...extra,
});
const ADMIN = user(1, { role: 'admin' });

function route(limit: Partial<RateLimitConfig> | null, prefix = '/api'): RouteConfig {
  return {
    prefix, upstream: 'api', rewrite: '', auth: 'user', websocket: true, timeoutMs: 1000, bodyLimitBytes: 1024, forwardAuthorization: false,
    // 3 per minute: windows long enough that no test can see one end (no timing in tests).
    rateLimit: limit && { by: 'user', requests: 3, perMs: 60_000, burst: 3, adminsExempt: true, failClosed: false, ...limit },
  };
}

function stageFor(config: RouteConfig, options: { store?: RateLimitStore; trusted?: string } = {}) {
  const store = options.store ?? new RateLimitStore({ logger: createGatewayLogger({ level: 'silent' }) });
  return limitRate(config, { store, auth, trustedProxies: parseTrustedProxies(options.trusted ?? '') })!;
}

function request(options: { who?: AuthenticatedUser | null; peer?: string; forwardedFor?: string; upgrade?: boolean } = {}): RequestContext & { sent: Record<string, string> } {
  const sent: Record<string, string> = {};
  const req = { socket: { remoteAddress: options.peer ?? '192.0.2.10' }, headers: options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {} } as unknown as IncomingMessage;
  const res = options.upgrade ? null : ({ setHeader: (name: string, value: string) => void (sent[name] = value) } as unknown as ServerResponse);
  const ctx = createContext(req, res, null, null);
  ctx.user = options.who === undefined ? user(7) : options.who;
  return Object.assign(ctx, { sent });
}

/** Runs the stage: 'ok' with the fields it set, or the GatewayError it threw. */
async function run(stage: ReturnType<typeof stageFor>, ctx: ReturnType<typeof request>): Promise<{ ok: true; headers: Record<string, string> } | { ok: false; error: GatewayError }> {
  try {
    await stage(ctx);
    return { ok: true, headers: ctx.sent };
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return { ok: false, error };
  }
}

const allowedCount = async (stage: ReturnType<typeof stageFor>, make: () => ReturnType<typeof request>, tries: number) => {
  let ok = 0;
  for (let i = 0; i < tries; i++) if ((await run(stage, make())).ok) ok++;
  return ok;
};

describe('rate-limit stage', () => {
  it('is compiled out of a route without a limit', () => {
    expect(limitRate(route(null), { store: new RateLimitStore({ logger: createGatewayLogger({ level: 'silent' }) }), auth, trustedProxies: parseTrustedProxies('') })).toBeNull();
  });

  it('sets RateLimit-Policy and RateLimit (draft-ietf-httpapi-ratelimit-headers-11) on every counted answer', async () => {
    const stage = stageFor(route({}));
    const answers = [await run(stage, request()), await run(stage, request()), await run(stage, request())];
    expect(answers.map((a) => a.ok && a.headers['ratelimit-policy'])).toEqual(['"user";q=3;w=60', '"user";q=3;w=60', '"user";q=3;w=60']);
    expect(answers.map((a) => a.ok && a.headers.ratelimit!.replace(/;t=\d+$/, ''))).toEqual(['"user";r=2', '"user";r=1', '"user";r=0']);
    // t: whole seconds until the window ends, within it.
    for (const answer of answers) {
      const t = Number(/;t=(\d+)$/.exec(answer.ok ? answer.headers.ratelimit! : '')?.[1]);
      expect(t).toBeGreaterThanOrEqual(1);
      expect(t).toBeLessThanOrEqual(60);
    }
  });

  it('lets a burst through at once, then answers 429 RATE_LIMITED with Retry-After and the fields', async () => {
    const stage = stageFor(route({ requests: 600, perMs: 60_000, burst: 100 }));
    expect(await allowedCount(stage, () => request(), 100)).toBe(100);
    const refused = await run(stage, request());
    if (refused.ok) throw new Error('expected a refusal');
    expect(refused.error.status).toBe(429);
    expect(refused.error.code).toBe('RATE_LIMITED');
    expect(refused.error.detail).toMatch(/^Rate limit exceeded; retry in \d+ s$/);
    const retryAfter = Number(refused.error.headers['retry-after']);
    // 100 per 10 s window (the time 100 take to refill at 10 per second).
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(refused.error.headers['ratelimit-policy']).toBe('"user";q=100;w=10');
    expect(refused.error.headers.ratelimit).toBe(`"user";r=0;t=${retryAfter}`);
  });

  it('counts by user: one user\'s token and API keys share a count, other users have their own', async () => {
    const stage = stageFor(route({ by: 'user' }));
    expect(await run(stage, request({ who: user(7) }))).toMatchObject({ ok: true });
    expect(await run(stage, request({ who: user(7, { authMethod: 'api_key', apiKeyId: 1 }) }))).toMatchObject({ ok: true });
    expect(await run(stage, request({ who: user(7, { authMethod: 'api_key', apiKeyId: 2 }) }))).toMatchObject({ ok: true });
    expect(await run(stage, request({ who: user(7) }))).toMatchObject({ ok: false });
    expect(await run(stage, request({ who: user(8) }))).toMatchObject({ ok: true });
  });

  it('counts by api_key: each key alone, token requests per user', async () => {
    const stage = stageFor(route({ by: 'api_key' }));
    const key = (apiKeyId: number) => request({ who: user(7, { authMethod: 'api_key', apiKeyId }) });
    expect(await allowedCount(stage, () => key(1), 5)).toBe(3);
    expect(await allowedCount(stage, () => key(2), 5)).toBe(3);
    expect(await allowedCount(stage, () => request({ who: user(7) }), 5)).toBe(3);
    const answer = await run(stage, key(3));
    expect(answer.ok && answer.headers['ratelimit-policy']).toBe('"api_key";q=3;w=60');
  });

  it('counts by ip: the TCP peer, or the client behind a trusted proxy', async () => {
    const direct = stageFor(route({ by: 'ip' }));
    expect(await allowedCount(direct, () => request({ who: null, peer: '198.51.100.1', forwardedFor: '203.0.113.9' }), 5)).toBe(3);
    // An untrusted peer's X-Forwarded-For is the client's own say: still the peer's count.
    expect(await run(direct, request({ who: null, peer: '198.51.100.1', forwardedFor: '203.0.113.10' }))).toMatchObject({ ok: false });
    expect(await run(direct, request({ who: null, peer: '::ffff:198.51.100.2' }))).toMatchObject({ ok: true });

    const proxied = stageFor(route({ by: 'ip' }), { trusted: '10.0.0.0/8' });
    expect(await allowedCount(proxied, () => request({ who: null, peer: '10.0.0.5', forwardedFor: '203.0.113.9' }), 5)).toBe(3);
    expect(await run(proxied, request({ who: null, peer: '10.0.0.6', forwardedFor: '203.0.113.10' }))).toMatchObject({ ok: true });
  });

  it('leaves admins out (no count, no fields) unless the route says admins: limited', async () => {
    const exempt = stageFor(route({}));
    for (let i = 0; i < 10; i++) expect(await run(exempt, request({ who: ADMIN }))).toEqual({ ok: true, headers: {} });
    const limited = stageFor(route({ adminsExempt: false }));
    expect(await allowedCount(limited, () => request({ who: ADMIN }), 5)).toBe(3);
  });

  it('counts a WebSocket upgrade as one request (no response to carry the fields; a 429 refuses the upgrade)', async () => {
    const stage = stageFor(route({}));
    expect(await run(stage, request({ upgrade: true }))).toEqual({ ok: true, headers: {} });
    expect(await allowedCount(stage, () => request(), 5)).toBe(2);
    expect(await run(stage, request({ upgrade: true }))).toMatchObject({ ok: false, error: { status: 429 } });
  });

  it('on reload keeps the counts of an unchanged limit and starts a changed one afresh', async () => {
    const store = new RateLimitStore({ logger: createGatewayLogger({ level: 'silent' }) });
    const before = stageFor(route({}), { store });
    expect(await allowedCount(before, () => request(), 3)).toBe(3);
    // Same limit in the new route table: same counters, still refused.
    const same = stageFor(route({}), { store });
    expect(await run(same, request())).toMatchObject({ ok: false });
    // A raised limit applies to new requests at once, with a new count and a new policy.
    const raised = stageFor(route({ burst: 5, requests: 5 }), { store });
    const answer = await run(raised, request());
    expect(answer.ok && answer.headers).toMatchObject({ 'ratelimit-policy': '"user";q=5;w=60', ratelimit: expect.stringMatching(/^"user";r=4;t=\d+$/) });
    // Routes count apart even with equal limits.
    expect(await run(stageFor(route({}, '/other'), { store }), request())).toMatchObject({ ok: true });
  });
});
