// W3C trace context through the in-process gateway to a stub upstream: a valid
// traceparent is continued with the gateway's own span as the upstream's parent
// (HTTP and WebSocket upgrades), an invalid one is replaced by a new trace, the
// answer names the gateway's span in `traceresponse`, and the access line carries
// trace_id and span_id beside request_id.
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const VALID = `00-${TRACE}-${PARENT}-01`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

let stub: StubUpstream;
let gw: TestGateway;
beforeEach(async () => {
  stub = await startStubUpstream();
  gw = await startTestGateway({
    yaml: `
upstreams:
  stub: { url: ${stub.url} }
routes:
  - { prefix: /api, upstream: stub, rewrite: "", auth: public, websocket: true }
`,
  });
});
afterEach(async () => {
  await gw.close();
  await stub.close();
});

/** The request's upstream traceparent/tracestate, its answer's traceresponse and its access line. */
async function send(headers: Record<string, string | string[]>) {
  const response = await request(`${gw.url}/api/echo`, { headers });
  expect(response.status).toBe(200);
  const upstream = response.json().headers as IncomingHttpHeaders;
  const requestId = response.headers['x-request-id'];
  const access = gw.logs.find((line) => line.msg === 'request' && line.request_id === requestId);
  const forwarded = TRACEPARENT.exec(String(upstream.traceparent));
  expect(forwarded).not.toBeNull();
  return { upstream, traceresponse: String(response.headers.traceresponse), access, traceId: forwarded![1]!, parentId: forwarded![2]!, flags: forwarded![3]! };
}

describe('trace context at the edge', () => {
  it('continues a valid trace: same trace id upstream, the gateway span as the new parent id, tracestate kept', async () => {
    const seen = await send({ traceparent: VALID, tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' });
    expect(seen.traceId).toBe(TRACE);
    expect(seen.parentId).not.toBe(PARENT);
    expect(seen.flags).toBe('01');
    expect(seen.upstream.tracestate).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(seen.traceresponse).toBe(`00-${TRACE}-${seen.parentId}-01`);
    expect(seen.access).toMatchObject({ trace_id: TRACE, span_id: seen.parentId });
  });

  it('starts a trace when the client sent none, and says which in traceresponse and the access line', async () => {
    const seen = await send({});
    expect(seen.flags).toBe('00');
    expect(seen.upstream.tracestate).toBeUndefined();
    expect(seen.traceresponse).toBe(`00-${seen.traceId}-${seen.parentId}-00`);
    expect(seen.access).toMatchObject({ trace_id: seen.traceId, span_id: seen.parentId });
  });

  it.each([
    ['version ff', `ff-${TRACE}-${PARENT}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${PARENT}-01`],
    ['an all-zero parent id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['a short trace id', `00-${TRACE.slice(2)}-${PARENT}-01`],
    ['a long parent id', `00-${TRACE}-${PARENT}00-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ['version 00 with a trailing field', `${VALID}-00`],
    ['two traceparent headers', [VALID, `00-${TRACE}-${'1'.repeat(16)}-01`]],
  ])('replaces a traceparent with %s by a new trace and does not forward its tracestate', async (_name, traceparent) => {
    const seen = await send({ traceparent, tracestate: 'congo=t61rcWkgMzE' });
    expect(seen.traceId).not.toBe(TRACE);
    expect(seen.traceId).not.toBe('0'.repeat(32));
    expect(seen.upstream.tracestate).toBeUndefined();
    expect(seen.access).toMatchObject({ trace_id: seen.traceId });
  });

  it.each([
    ['longer than 512 characters', `a=${'x'.repeat(255)},b=${'y'.repeat(255)}`],
    ['with a malformed member', 'Congo=1'],
    ['with a repeated key', 'a=1,a=2'],
  ])('keeps a valid trace but drops a tracestate %s', async (_name, tracestate) => {
    const seen = await send({ traceparent: VALID, tracestate });
    expect(seen.traceId).toBe(TRACE);
    expect(seen.upstream.tracestate).toBeUndefined();
  });

  it('passes the trace to the upstream of a WebSocket upgrade, and logs it on the upgrade access line', async () => {
    const upgraded = new Promise<IncomingHttpHeaders>((resolve) => stub.wss.once('connection', (_ws, req) => resolve(req.headers)));
    const ws = new WebSocket(`${gw.url.replace('http', 'ws')}/api/stream`, { headers: { traceparent: VALID, tracestate: 'congo=1' } });
    const headers = await upgraded;
    const forwarded = TRACEPARENT.exec(String(headers.traceparent));
    expect(forwarded?.[1]).toBe(TRACE);
    expect(forwarded?.[2]).not.toBe(PARENT);
    expect(headers.tracestate).toBe('congo=1');
    await new Promise((resolve) => ws.once('message', resolve));
    ws.close();
    await new Promise((resolve) => ws.once('close', resolve));
    const access = await (async () => {
      for (;;) {
        const line = gw.logs.find((entry) => entry.msg === 'request' && entry.websocket === true);
        if (line) return line;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    expect(access).toMatchObject({ trace_id: TRACE, span_id: forwarded![2] });
  });
});
