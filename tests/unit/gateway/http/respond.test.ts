import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { answerClientError } from '../../../../gateway/http/server.ts';
import { writeRawResponse } from '../../../../gateway/http/respond.ts';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';

const logger = createGatewayLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });

function capture() {
  const socket = new PassThrough();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const text = () => new Promise<string>((resolve) => socket.once('finish', () => setImmediate(() => resolve(Buffer.concat(chunks).toString()))));
  return { socket, text };
}

describe('writeRawResponse', () => {
  it('writes a complete JSON response and ends the socket', async () => {
    const { socket, text } = capture();
    writeRawResponse(socket, 401, '{"detail":"Not authenticated"}', { 'www-authenticate': 'Bearer', connection: 'keep-alive' });
    const reply = await text();
    expect(reply).toBe('HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 30\r\nconnection: close\r\nwww-authenticate: Bearer\r\n\r\n{"detail":"Not authenticated"}');
  });
});

describe('answerClientError', () => {
  it.each([
    ['HPE_HEADER_OVERFLOW', 431, 'Request header fields too large'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'Request timeout'],
    ['HPE_INVALID_METHOD', 400, 'Bad Request'],
    [undefined, 400, 'Bad Request'],
  ])('%s → %d {"detail"}', async (code, status, detail) => {
    const { socket, text } = capture();
    answerClientError(Object.assign(new Error('parse error'), { code }), socket, logger);
    const reply = await text();
    expect(reply.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(JSON.parse(reply.split('\r\n\r\n')[1]!)).toEqual({ detail });
    expect(reply).not.toContain('parse error');
  });

  it('writes nothing on a reset connection', () => {
    const { socket } = capture();
    let written = false;
    socket.on('data', () => (written = true));
    answerClientError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), socket, logger);
    expect(socket.destroyed).toBe(true);
    expect(written).toBe(false);
  });
});
