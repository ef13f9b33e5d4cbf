// Node peer (d1): @fastify/http-proxy doing the gateway's job — /bench/* to the
// stub upstream with the prefix stripped — with default (keep-alive undici) pooling.
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const upstream = process.env.UPSTREAM_URL;
if (!upstream) throw new Error('UPSTREAM_URL is required');

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
await app.register(proxy, { upstream, prefix: '/bench', rewritePrefix: '' });
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`${JSON.stringify({ msg: 'listening', port: typeof address === 'object' && address ? address.port : 0 })}\n`);

process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
