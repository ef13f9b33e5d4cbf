// Engine option A of issue 14 item 2, measured before choosing: http-proxy-3's
// fetch path (undici's fetch with a keep-alive Pool as its dispatcher) doing the
// gateway's job with nothing else — /bench/* to the stub, prefix stripped.
import { createServer } from 'node:http';
import { ProxyServer } from 'http-proxy-3';
import { fetch, Pool } from 'undici';

const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const dispatcher = new Pool(upstream.origin);
const proxy = new ProxyServer({ target: upstream.origin, changeOrigin: true, fetch: fetch as unknown as typeof globalThis.fetch, fetchOptions: { requestOptions: { dispatcher } as RequestInit } });

const server = createServer((req, res) => {
  req.url = (req.url ?? '/').replace(/^\/bench/, '') || '/';
  proxy.web(req, res, {}, () => {
    res.statusCode = 502;
    res.end();
  });
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
