// The client's request body as the stream undici sends upstream. Not the
// request itself: undici destroys the body stream it was given when the
// upstream request fails, and destroying the client's request would destroy
// the client's connection before the gateway could answer 502. This stream
// follows the request (with backpressure) and can be destroyed on its own.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

export function requestBody(req: IncomingMessage): Readable {
  const onData = (chunk: Buffer) => {
    if (!body.push(chunk)) req.pause();
  };
  const onEnd = () => body.push(null);
  // The client's request broke off (aborted upload, bad chunk framing): the upstream must not see a complete body.
  const onClose = () => {
    if (!req.complete) body.destroy(Object.assign(new Error('client request body aborted'), { code: 'ECLIENTGONE' }));
  };
  const detach = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('close', onClose);
  };
  const body = new Readable({
    read() {
      req.resume();
    },
    destroy(error, done) {
      detach();
      done(error);
    },
  });
  req.on('data', onData);
  req.once('end', onEnd);
  req.once('close', onClose);
  return body;
}
