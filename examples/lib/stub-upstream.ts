// A tiny upstream for examples that need a target of their own (route_reload):
// answers every request with {"stub": true, method, url}. The example runner
// starts one and passes its URL as STUB_UPSTREAM_URL. Run alone: node examples/lib/stub-upstream.ts
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubUpstream {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startStubUpstream(port = 0, host = '127.0.0.1'): Promise<StubUpstream> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ stub: true, method: req.method, url: req.url }));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.main) {
  const stub = await startStubUpstream(Number(process.env.PORT ?? 0));
  console.log(JSON.stringify({ msg: 'listening', port: Number(new URL(stub.url).port) }));
}
