// Node peer (d2): express + http-proxy-middleware doing the gateway's job —
// /bench/* to the stub upstream with the prefix stripped, over a keep-alive agent.
import { Agent } from 'node:http';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');

const app = express();
app.disable('x-powered-by');
// Mounted at /bench, express already strips the prefix from req.url.
app.use('/bench', createProxyMiddleware({ target: upstream, agent: new Agent({ keepAlive: true, maxSockets: 256 }), xfwd: true }));

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);
});
server.keepAliveTimeout = 65_000;

process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
