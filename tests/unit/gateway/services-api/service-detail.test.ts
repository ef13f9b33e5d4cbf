// A collector's /health report shown in its service status: a child is not
// trusted, so a report nested deeper than the JSON limit is dropped (it would
// overflow the stack when the status answer is serialised: a 500 for the admin).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { serviceDetail } from '../../../../gateway/services-api/service-detail.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function childAnswering(body: string): Promise<string> {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const detailFrom = (base: string) => serviceDetail({ kindOf: () => 'service', baseUrlOf: () => base })('ticker');

describe('serviceDetail', () => {
  it('returns the report without status and service', async () => {
    expect(await detailFrom(await childAnswering('{"status":"ok","service":"ticker","following":3}'))).toEqual({ following: 3 });
  });

  it('drops a report nested deeper than 64 levels', async () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(await detailFrom(await childAnswering(`{"status":"ok","x":${deep}}`))).toBeNull();
  });
});
