// The undici health probe against real in-process servers on port 0.
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDependencies, probeHealth } from '../../../../gateway/probe/health-probe.ts';

let server: Server | null = null;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
  server = null;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/health`;
}

describe('probeHealth', () => {
  it('is ok on 2xx and reads the database report', async () => {
    const url = await serve((_req, res) => res.end(JSON.stringify({ status: 'ok', database: { ok: true, latency_ms: 3 } })));
    expect(await probeHealth(url, 1_000)).toMatchObject({ ok: true, status: 200, error: null, dependencies: { database: { ok: true, latency_ms: 3 } } });
  });

  it('keeps the status and the store report of a 503', async () => {
    const url = await serve((_req, res) => {
      res.statusCode = 503;
      res.end(JSON.stringify({ status: 'degraded', redis: { ok: false, latency_ms: null, error: 'ECONNREFUSED' } }));
    });
    expect(await probeHealth(url, 1_000)).toMatchObject({ ok: false, status: 503, error: 'HTTP 503', dependencies: { redis: { ok: false, error: 'ECONNREFUSED' } } });
  });

  it('counts a hanging health endpoint as a timeout failure', async () => {
    const url = await serve(() => {});
    const result = await probeHealth(url, 200);
    expect(result).toMatchObject({ ok: false, status: null, error: 'timeout after 200 ms' });
  });

  it('reports a refused connection without the URL', async () => {
    const url = await serve((_req, res) => res.end());
    const closed = url;
    server!.close();
    server = null;
    const result = await probeHealth(closed, 500);
    expect(result).toMatchObject({ ok: false, status: null, error: 'connection refused' });
  });

  it.each([
    ['not json', {}],
    ['[1,2]', {}],
    ['{"database":"yes"}', {}],
    ['{"database":{"ok":1}}', { database: { ok: false, latency_ms: null } }],
  ])('parses the body %s defensively', (body, expected) => {
    expect(parseDependencies(body)).toEqual(expected);
  });
});
