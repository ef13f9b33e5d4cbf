import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { BodyError, readLimitedBody } from '../../../../gateway/auth/read-body.ts';

function stream(chunks: string[], headers: Record<string, string> = {}, fail = false): IncomingMessage {
  const body = new PassThrough();
  Object.assign(body, { headers });
  queueMicrotask(() => {
    for (const chunk of chunks) body.write(chunk);
    if (fail) body.destroy(new Error('reset'));
    else body.end();
  });
  return body as unknown as IncomingMessage;
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BodyError);
  return error as BodyError;
}

describe('readLimitedBody', () => {
  it('reads a body within the limit', async () => {
    expect((await readLimitedBody(stream(['ab', 'cd']), 4)).toString()).toBe('abcd');
  });

  it('refuses a declared Content-Length over the limit before reading', async () => {
    expect((await failure(readLimitedBody(stream([], { 'content-length': '100' }), 10))).status).toBe(413);
  });

  it('refuses a streamed body once it passes the limit', async () => {
    expect((await failure(readLimitedBody(stream(['12345', '67890', 'x']), 10))).status).toBe(413);
  });

  it('answers 400 when the client aborts mid-body', async () => {
    expect((await failure(readLimitedBody(stream(['12'], {}, true), 10))).status).toBe(400);
  });
});
