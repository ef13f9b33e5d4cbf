// Reads a small request body for the gateway's own handlers (login), refusing
// anything past the limit with 413 as soon as it is known — by Content-Length
// before reading, or by counting while reading — so a huge body costs nothing.
import type { IncomingMessage } from 'node:http';

export class BodyError extends Error {
  readonly status: 400 | 413;
  readonly code: 'BODY_TOO_LARGE' | 'BODY_ABORTED';

  constructor(code: 'BODY_TOO_LARGE' | 'BODY_ABORTED', detail: string) {
    super(detail);
    this.name = 'BodyError';
    this.code = code;
    this.status = code === 'BODY_TOO_LARGE' ? 413 : 400;
  }
}

export async function readLimitedBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    req.resume();
    throw new BodyError('BODY_TOO_LARGE', 'Request body too large');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > limitBytes) {
        // Stop buffering but keep draining so the 413 can still be written.
        req.resume();
        throw new BodyError('BODY_TOO_LARGE', 'Request body too large');
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError('BODY_ABORTED', 'Request body could not be read');
  }
  return Buffer.concat(chunks, size);
}
