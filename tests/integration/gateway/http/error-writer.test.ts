// The one error writer (issue 10, Deliver 4): every refusal carries its catalogue
// code in X-Gateway-Error (one code per condition, whichever layer noticed it),
// and each 5xx is logged exactly once — on its access line, with the cause.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

describe('the gateway error writer', () => {
  let stub: StubUpstream;
  let gw: TestGateway;
  beforeEach(async () => {
    stub = await startStubUpstream();
    gw = await startTestGateway({
      yaml: `upstreams:
  stub: { url: ${stub.url} }
  refused: { url: http://127.0.0.1:1 }
routes:
  - { prefix: /pub, upstream: stub, rewrite: "", auth: public }
  - { prefix: /admin, upstream: stub, rewrite: "", auth: admin }
  - { prefix: /gone, upstream: refused, rewrite: "", auth: public }
`,
      settings: { maxHeaderBytes: 4096, accessLog: false },
      localRoutes: [
        {
          method: 'GET',
          path: '/boom',
          auth: 'public',
          handle: () => {
            throw new Error('handler bug with a secret inside');
          },
        },
      ],
    });
  });
  afterEach(async () => {
    await gw.close();
    await stub.close();
  });

  const errorLines = () => gw.logs.filter((line) => Number(line.level) >= 50);

  it('logs a 502 once, on its access line, with the upstream error (access log off)', async () => {
    const res = await request(`${gw.url}/gone/x`);
    expect(res.status).toBe(502);
    expect(res.headers['x-gateway-error']).toBe('BAD_GATEWAY');
    const lines = errorLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', status: 502, error: 'BAD_GATEWAY', err: { code: 'ECONNREFUSED' } });
  });

  it('logs a handler bug once as a 500 with its stack, and shows the client nothing of it', async () => {
    const res = await request(`${gw.url}/boom`);
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ detail: 'Internal Server Error' });
    expect(res.headers['x-gateway-error']).toBe('INTERNAL');
    const lines = errorLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', status: 500, err: { message: 'handler bug with a secret inside' } });
    expect(String((lines[0]!.err as { stack?: string }).stack)).toContain('Error');
  });

  it('names oversized headers HEADERS_TOO_LARGE, the catalogue code, not the parser code', async () => {
    const res = await request(`${gw.url}/pub/x`, { headers: { 'x-big': 'a'.repeat(8000) } });
    expect(res.status).toBe(431);
    expect(res.headers['x-gateway-error']).toBe('HEADERS_TOO_LARGE');
  });

  it('refuses a non-admin with 403 and an RFC 6750 insufficient_scope challenge', async () => {
    const res = await request(`${gw.url}/admin/x`, { headers: { authorization: 'Bearer user' } });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_scope"');
    expect(res.headers['x-gateway-error']).toBe('FORBIDDEN');
  });

  it('answers a request without credentials with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const res = await request(`${gw.url}/admin/x`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});
