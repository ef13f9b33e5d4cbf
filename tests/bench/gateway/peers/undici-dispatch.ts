// Engine option B of issue 14 item 2, measured before choosing: an undici Pool
// per upstream driven through dispatch() (no fetch, no Readable body), doing
// the gateway's job with nothing else — /bench/* to the stub, prefix stripped.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';

const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const pool = new Pool(upstream.origin, { headersTimeout: 0, bodyTimeout: 0 });

function relay(res: ServerResponse): Dispatcher.DispatchHandler {
  return {
    onRequestStart() {},
    onResponseStart(_controller, status, headers: IncomingHttpHeaders) {
      for (const name in headers) if (name !== 'connection' && name !== 'keep-alive' && name !== 'transfer-encoding') res.setHeader(name, headers[name]!);
      res.writeHead(status);
    },
    onResponseData(controller, chunk) {
      if (!res.write(chunk)) {
        controller.pause();
        res.once('drain', () => controller.resume());
      }
    },
    onResponseEnd() {
      res.end();
    },
    onResponseError() {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    },
  };
}

const server = createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  delete headers['transfer-encoding'];
  pool.dispatch({ path: (req.url ?? '/').replace(/^\/bench/, '') || '/', method: req.method as Dispatcher.HttpMethod, headers: headers as IncomingHttpHeaders as Record<string, string>, body: hasBody ? req : null }, relay(res));
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
