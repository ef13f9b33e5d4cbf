// W3C Trace Context (https://www.w3.org/TR/trace-context/) at the edge: a
// client's `traceparent` is accepted only when it is valid to the letter of the
// spec, otherwise the gateway starts a new trace (and drops that request's
// `tracestate`, §3.3: a restarted trace must not carry the old vendors' state).
// Each request gets the gateway's own span id, the parent id of the upstream hop.
//
// Written here rather than taken from @opentelemetry/core: its propagator needs
// the OpenTelemetry context machinery (objects per request) and the whole
// parse is the handful of checks below. No regexp captures, no objects: the
// parsed fields go straight onto the request context.
import { randomFillSync } from 'node:crypto';

/** Lower-case hex only: the spec refuses upper case (§3.2.2.3). */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';
/** §3.3.1.1: 32 list members at most; §3.3.1.5 lets a vendor drop a longer header, which we do past 512 characters. */
export const MAX_TRACESTATE_MEMBERS = 32;
export const MAX_TRACESTATE_LENGTH = 512;
/** §3.3.1.3 key: simple-key or tenant@system; value: printable ASCII but "," and "=", no trailing space. */
const TRACESTATE_MEMBER = /^(?:[a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** The trace fields a request carries (on RequestContext). */
export interface TraceFields {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** The gateway's span for this request: the parent id the upstream sees. */
  spanId: string;
  /** The client's parent span id when its traceparent was accepted, else ''. */
  parentSpanId: string;
  /** '01' when sampled, else '00' (other flag bits are not ours to forward). */
  traceFlags: string;
  /** The validated tracestate to forward, or ''. */
  traceState: string;
}

/**
 * Random ids from a pooled buffer (like randomUUID's own cache): one
 * randomFillSync and one hex encoding per 256 spans; an id is then a slice of
 * that hex string (a quarter of the cost of encoding each id on its own).
 */
const POOL = Buffer.allocUnsafe(4096);
let poolHex = '';
let offset = POOL.length;
function randomHex(bytes: number): string {
  if (offset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolHex = POOL.toString('hex');
    offset = 0;
  }
  const hex = poolHex.slice(offset * 2, (offset + bytes) * 2);
  offset += bytes;
  return hex;
}

export function newTraceId(): string {
  let id = randomHex(16);
  while (id === ZERO_TRACE) id = randomHex(16);
  return id;
}

export function newSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN) id = randomHex(8);
  return id;
}

/**
 * Is this header value a traceparent we may continue? §3.2: version 00 is
 * exactly 55 characters; a later version may append "-..." fields that we ignore
 * (§4.3); version ff, all-zero ids, upper case and any other length are invalid.
 * A repeated header arrives joined with ", " and fails here, as §3.2 asks.
 */
export function isValidTraceparent(value: string): boolean {
  if (value.length < 55) return false;
  const version = value.slice(0, 2);
  if (version === 'ff') return false;
  if (value.length > 55 && (version === '00' || value.charCodeAt(55) !== 45 /* - */)) return false;
  const head = value.length === 55 ? value : value.slice(0, 55);
  if (!TRACEPARENT.test(head)) return false;
  return head.slice(3, 35) !== ZERO_TRACE && head.slice(36, 52) !== ZERO_SPAN;
}

/**
 * The tracestate to forward, or '' when it is absent or breaks §3.3: too many
 * members, a malformed member, a repeated key, or longer than 512 characters.
 * Empty members (",,") are allowed and dropped.
 */
export function validTracestate(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  const joined = typeof value === 'string' ? value : value.join(',');
  if (joined.length === 0 || joined.length > MAX_TRACESTATE_LENGTH) return '';
  const members: string[] = [];
  const keys = new Set<string>();
  for (const raw of joined.split(',')) {
    const member = raw.trim();
    if (member === '') continue;
    if (!TRACESTATE_MEMBER.test(member)) return '';
    const key = member.slice(0, member.indexOf('='));
    if (keys.has(key)) return '';
    keys.add(key);
    members.push(member);
    if (members.length > MAX_TRACESTATE_MEMBERS) return '';
  }
  return members.join(',');
}

/**
 * Fills `target`'s trace fields from the request's headers: continued when the
 * traceparent is valid, a new trace otherwise. `sampleNew` is the flag a new
 * trace starts with (sampled when spans are exported).
 */
export function readTraceHeaders(
  traceparent: string | string[] | undefined,
  tracestate: string | string[] | undefined,
  sampleNew: boolean,
  target: TraceFields,
): void {
  target.spanId = newSpanId();
  if (typeof traceparent === 'string' && isValidTraceparent(traceparent)) {
    target.traceId = traceparent.slice(3, 35);
    target.parentSpanId = traceparent.slice(36, 52);
    // Only the sampled bit is defined (§3.2.2.5); unknown bits are not forwarded.
    target.traceFlags = (Number.parseInt(traceparent.slice(53, 55), 16) & 1) === 1 ? '01' : '00';
    target.traceState = tracestate === undefined ? '' : validTracestate(tracestate);
    return;
  }
  target.traceId = newTraceId();
  target.parentSpanId = '';
  target.traceFlags = sampleNew ? '01' : '00';
  target.traceState = '';
}

/** The traceparent of the next hop: this trace, with `spanId` as its parent. */
export function formatTraceparent(fields: Pick<TraceFields, 'traceId' | 'spanId' | 'traceFlags'>): string {
  return `00-${fields.traceId}-${fields.spanId}-${fields.traceFlags}`;
}
