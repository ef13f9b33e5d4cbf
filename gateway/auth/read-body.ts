// Reads a small request body for the gateway's own handlers (login), refusing
// anything past the limit with 413 as soon as it is known — by Content-Length
// before reading, or by counting while reading — so a huge body costs nothing.
import type { IncomingMessage } from 'node:http';
import { CATALOGUE, GatewayError } from '../pipeline/errors.ts';

/** A body the login could not take: 413 (too large) or 400 (cut off), from the catalogue. */
export class BodyError extends GatewayError {
  constructor(code: 'PAYLOAD_TOO_LARGE' | 'BODY_ABORTED') {
    const entry = CATALOGUE[code];
    super(code, entry.status, entry.detail, { headers: { ...entry.headers } });
    this.name = 'BodyError';
  }
}

export async function readLimitedBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    req.resume();
    throw new BodyError('PAYLOAD_TOO_LARGE');
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
        throw new BodyError('PAYLOAD_TOO_LARGE');
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof BodyError) throw error;
    throw new BodyError('BODY_ABORTED');
  }
  return Buffer.concat(chunks, size);
}
