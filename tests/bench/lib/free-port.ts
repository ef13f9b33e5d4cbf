// A free loopback port for programs that cannot listen on port 0 and report it
// back (nginx): bind 0, read the port, release it. Bench-only; tests never do this.
import { createServer } from 'node:net';

export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
