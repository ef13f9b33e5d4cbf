// Optional OTLP export of the gateway's spans (OpenTelemetry SDK, OTLP/HTTP with
// JSON bodies) when OTEL_EXPORTER_OTLP_ENDPOINT is set. Off by default, and then
// free: this module's SDK imports are dynamic, so a gateway without the variable
// never loads the SDK, and the request path pays one null check.
//
// One SERVER span per request, recorded at the access-log point (the request is
// finished there) with the ids the request already carries: the span's id is
// the gateway span the upstream saw as its parent (trace-context.ts), its parent
// the client's span when the client sent a valid traceparent. The SDK's id
// generator is handed those ids for the one span being started. Sampling is the
// SDK's default, parent-based: a client's "not sampled" (flag 00) is respected;
// traces started here are sampled (the gateway sends 01 upstream when exporting).
// Attributes: method, the matched route prefix (never the raw path or query),
// status, upstream and request id: no tokens, no ids from paths.
import type { RequestContext } from '../pipeline/context.ts';

export interface SpanExportSettings {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: base URL; spans go to <endpoint>/v1/traces. */
  endpoint: string;
  /** OTEL_SERVICE_NAME, default "fullon-gateway". */
  serviceName: string;
}

export interface SpanExport {
  /** Records the finished request as a span (called where its access line is written). */
  record(ctx: RequestContext): void;
  /** Sends what is buffered (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function startSpanExport(settings: SpanExportSettings): Promise<SpanExport> {
  const [api, sdk, exporterModule, resources] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  // The ids of the span being started now (set just before startSpan, synchronously).
  let next = { traceId: '', spanId: '' };
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({ 'service.name': settings.serviceName }),
    idGenerator: { generateTraceId: () => next.traceId, generateSpanId: () => next.spanId },
    spanProcessors: [new sdk.BatchSpanProcessor(new exporterModule.OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` }))],
  });
  const tracer = provider.getTracer('fullon-gateway');
  return {
    record(ctx) {
      if (ctx.traceId === '') return;
      const durationMs = Number(process.hrtime.bigint() - ctx.startedAt) / 1e6;
      const end = Date.now();
      const parent =
        ctx.parentSpanId === ''
          ? api.ROOT_CONTEXT
          : api.trace.setSpanContext(api.ROOT_CONTEXT, {
              traceId: ctx.traceId,
              spanId: ctx.parentSpanId,
              traceFlags: ctx.traceFlags === '01' ? api.TraceFlags.SAMPLED : api.TraceFlags.NONE,
              isRemote: true,
            });
      const route = ctx.route ? ctx.route.prefix : ctx.local ? ctx.local.path : 'unmatched';
      next = { traceId: ctx.traceId, spanId: ctx.spanId };
      const span = tracer.startSpan(
        `${ctx.req.method ?? 'GET'} ${route}`,
        {
          kind: api.SpanKind.SERVER,
          startTime: end - durationMs,
          attributes: {
            'http.request.method': ctx.req.method ?? 'GET',
            'http.route': route,
            'http.response.status_code': ctx.status,
            'fullon.upstream': ctx.upstream ?? (ctx.local ? 'gateway' : 'none'),
            'fullon.request_id': ctx.requestId,
            ...(ctx.isUpgrade ? { 'fullon.websocket': true } : {}),
          },
        },
        parent,
      );
      if (ctx.status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR, ...(ctx.errorCode ? { message: ctx.errorCode } : {}) });
      span.end(end);
    },
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  };
}
