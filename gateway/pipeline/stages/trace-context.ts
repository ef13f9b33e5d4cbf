// Stage: every request joins the client's W3C trace when its traceparent is
// valid, or starts one; the answer names the gateway's span in `traceresponse`
// (W3C Trace Context Level 2), so a client that sent nothing learns its trace id.
import { formatTraceparent, readTraceHeaders } from '../../tracing/trace-context.ts';
import type { RequestContext } from '../context.ts';

/** `sampleNew`: new traces start sampled (flag 01) when spans are exported (OTLP), else 00. */
export function createTraceStage(sampleNew: boolean): (ctx: RequestContext) => void {
  return function assignTraceContext(ctx: RequestContext): void {
    const { headers } = ctx.req;
    readTraceHeaders(headers.traceparent, headers.tracestate, sampleNew, ctx);
    if (ctx.res !== null) ctx.responseHeaders.traceresponse = formatTraceparent(ctx);
  };
}
