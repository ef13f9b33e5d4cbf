// Stage: refuses requests whose framing an upstream could read differently from
// Node (issue 10 #6, #13): a Transfer-Encoding other than plain "chunked"
// ("identity, chunked", "xchunked", duplicates joined by Node) and, on HTTP/1.1,
// a missing or repeated Host (RFC 9112 §3.2). Runs before routing, on every request.
import type { RequestContext } from '../context.ts';
import { errors } from '../errors.ts';

export function checkRequestFraming(ctx: RequestContext): void {
  const { req } = ctx;
  const encoding = req.headers['transfer-encoding'];
  if (encoding !== undefined && encoding !== 'chunked' && encoding.trim().toLowerCase() !== 'chunked') throw errors.badFraming('Transfer-Encoding must be "chunked"');
  if (req.httpVersionMinor !== 1 || req.httpVersionMajor !== 1) return;
  if (req.headers.host === undefined) throw errors.badHost('Host header required');
  // Node keeps the first of two Host headers: count them in rawHeaders.
  let hosts = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && name.toLowerCase() === 'host') hosts++;
  }
  if (hosts > 1) throw errors.badHost();
}
