// W3C traceparent as an upstream reads it (https://www.w3.org/TR/trace-context/):
// the gateway (or a collector) sends one on every call, and the upstream logs its
// trace id next to the request id, so one grep joins a client's request, the
// gateway's access line and the upstream's lines. Upstreams do not export spans:
// they only read, check and log. The check is the spec's (lower-case hex, version
// not ff, non-zero ids, 55 characters for version 00); an invalid value is not
// logged at all. Upstreams never import gateway code (DESIGN.md), hence these
// few lines of their own beside gateway/tracing/trace-context.ts.
import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(?:-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** Log bindings for a request's traceparent header: {trace_id, parent_id}, or null when absent or invalid. */
export function traceBindingsOf(header: string | string[] | undefined): { trace_id: string; parent_id: string } | null {
  if (typeof header !== 'string' || header.length < 55 || !TRACEPARENT.test(header)) return null;
  if (header.startsWith('ff') || (header.startsWith('00') && header.length !== 55)) return null;
  const traceId = header.slice(3, 35);
  const parentId = header.slice(36, 52);
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null;
  return { trace_id: traceId, parent_id: parentId };
}

/** A new trace id (collectors start one per cycle of work). */
export function newTraceId(): string {
  const id = randomBytes(16).toString('hex');
  return id === ZERO_TRACE ? newTraceId() : id;
}

/** A new span id: each outgoing call is a child span of the caller's trace. */
export function newSpanId(): string {
  const id = randomBytes(8).toString('hex');
  return id === ZERO_SPAN ? newSpanId() : id;
}
