// Floor for any Node proxy on this machine: node:http in, node:http out over a
// keep-alive agent, no routing, checks or logging. Not a peer to beat — the
// gap between it and the gateway is what the gateway's own features cost.
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.env.UPSTREAM_URL ?? '');
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

const server = createServer((req, res) => {
  const path = (req.url ?? '/').replace(/^\/bench/, '') || '/';
  const upstreamRequest = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers, agent },
    (upstreamResponse) => {
      res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      upstreamResponse.pipe(res);
    },
  );
  upstreamRequest.on('error', () => {
    res.statusCode = 502;
    res.end();
  });
  req.pipe(upstreamRequest);
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
