// Stage factory: request bodies over the route's limit get 413 — up front from
// Content-Length, and by counting streamed bytes for chunked bodies (the
// upstream request is cancelled when the count passes the limit).
import type { RequestContext, Stage } from '../context.ts';
import { errors } from '../errors.ts';

export function limitBody(limitBytes: number, onExceeded: (ctx: RequestContext) => void): Stage {
  if (!Number.isInteger(limitBytes) || limitBytes < 0) throw new Error(`bad body limit ${limitBytes}`);
  return function checkBodyLimit(ctx: RequestContext): void {
    const { headers } = ctx.req;
    const declared = headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) > limitBytes) throw errors.payloadTooLarge(limitBytes);
      // A declared length is enforced by Node's parser: the body cannot grow past it.
      return;
    }
    if (headers['transfer-encoding'] === undefined) return;
    let seen = 0;
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > limitBytes) {
        ctx.req.off('data', count);
        onExceeded(ctx);
      }
    };
    ctx.req.on('data', count);
  };
}
