// Is the gateway's port free? Asked once at start, before the supervised children
// are spawned, so that a busy port stops the start with one line and no child is
// started (and killed again half-way through creating its database). The workers
// then boot while the children start, instead of before them: the workers' start
// stays off the path to the first healthy answer.
import { createServer } from 'node:net';

/** Resolves when host:port can be bound now (port 0: always); rejects with the listen error (EADDRINUSE, EACCES, ...). */
export function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
