// OTLP export (gateway/tracing/span-export.ts) against a tiny OTLP/HTTP receiver
// started here: a proxied request becomes one SERVER span whose id is the parent
// id the upstream saw, whose parent is the client's span, with the route prefix
// (never the raw path) and status as attributes; a client's unsampled trace is
// not exported; a trace started at the gateway is sampled and exported.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSpanExport, type SpanExport } from '../../../../gateway/tracing/span-export.ts';
import { readSpanExportSettings } from '../../../../gateway/tracing/settings.ts';
import { SettingsError } from '../../../../gateway/config/settings.ts';
import { request, startStubUpstream, startTestGateway, type StubUpstream, type TestGateway } from '../proxy/harness.ts';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

let receiver: Server;
const received: Array<{ path: string; contentType: string; body: { resourceSpans: Array<{ resource: { attributes: ExportedSpan['attributes'] }; scopeSpans: Array<{ spans: ExportedSpan[] }> }> } }> = [];
let stub: StubUpstream;
let gw: TestGateway;
let spans: SpanExport;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', contentType: String(req.headers['content-type']), body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
  spans = await startSpanExport(readSpanExportSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'gateway-under-test' })!);
  stub = await startStubUpstream();
  gw = await startTestGateway({
    yaml: `
upstreams:
  stub: { url: ${stub.url} }
routes:
  - { prefix: /api, upstream: stub, rewrite: "", auth: public }
`,
    spans,
    sampleNewTraces: true,
  });
});
afterAll(async () => {
  await gw?.close();
  await stub?.close();
  await spans?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

const exported = () => received.flatMap((batch) => batch.body.resourceSpans.flatMap((resource) => resource.scopeSpans.flatMap((scope) => scope.spans)));
const attribute = (span: ExportedSpan, key: string) => Object.values(span.attributes.find((entry) => entry.key === key)?.value ?? {})[0];

/** Sends a request, waits for its access point to run (the access line), flushes the exporter. */
async function send(headers: Record<string, string>): Promise<{ upstreamParent: string; traceId: string; requestId: string }> {
  const response = await request(`${gw.url}/api/items/12345?token=secret`, { headers });
  expect(response.status).toBe(200);
  const requestId = String(response.headers['x-request-id']);
  const [, traceId, upstreamParent] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(String(response.json().headers.traceparent))!;
  while (!gw.logs.some((line) => line.msg === 'request' && line.request_id === requestId)) await new Promise((resolve) => setImmediate(resolve));
  await spans.flush();
  return { upstreamParent: upstreamParent!, traceId: traceId!, requestId };
}

describe('OTLP span export', () => {
  it("exports the request as a SERVER span: the upstream's parent id, the client's span as its parent, no raw path", async () => {
    const { upstreamParent, requestId } = await send({ traceparent: `00-${TRACE}-${PARENT}-01` });
    const span = exported().find((entry) => attribute(entry, 'fullon.request_id') === requestId)!;
    expect(span).toMatchObject({ traceId: TRACE, spanId: upstreamParent, parentSpanId: PARENT, name: 'GET /api', kind: 2 });
    expect(attribute(span, 'http.route')).toBe('/api');
    expect(Number(attribute(span, 'http.response.status_code'))).toBe(200);
    expect(attribute(span, 'fullon.upstream')).toBe('stub');
    expect(JSON.stringify(span)).not.toContain('12345');
    expect(JSON.stringify(span)).not.toContain('secret');
    const batch = received.at(-1)!;
    expect(batch.path).toBe('/v1/traces');
    expect(batch.contentType).toMatch(/^application\/json/);
    expect(JSON.stringify(batch.body.resourceSpans[0]!.resource.attributes)).toContain('gateway-under-test');
  });

  it('exports a trace that started at the gateway, sampled, without a parent', async () => {
    const { traceId, upstreamParent, requestId } = await send({});
    const span = exported().find((entry) => attribute(entry, 'fullon.request_id') === requestId)!;
    expect(span).toMatchObject({ traceId, spanId: upstreamParent });
    expect(span.parentSpanId ?? '').toBe('');
  });

  it("does not export a client's trace marked not sampled", async () => {
    const { requestId } = await send({ traceparent: `00-${TRACE}-${PARENT}-00` });
    expect(exported().some((entry) => attribute(entry, 'fullon.request_id') === requestId)).toBe(false);
  });
});

describe('OTLP settings', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT and names the service by default', () => {
    expect(readSpanExportSettings({})).toBeNull();
    expect(readSpanExportSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toEqual({ endpoint: 'http://collector:4318', serviceName: 'fullon-gateway' });
  });
  it.each(['collector:4318', 'ftp://collector', 'not a url'])('refuses the endpoint %j with one line', (endpoint) => {
    expect(() => readSpanExportSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint })).toThrow(SettingsError);
  });
});
