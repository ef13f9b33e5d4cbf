// A tiny stand-in for the orm upstream's ownership endpoint, on port 0: checks
// the service assertion like orm would and answers from a map.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';

export interface FakeOrm {
  url: string;
  owners: Map<number, { ex_ids: number[]; bot_ids: number[] }>;
  requests: number;
  /** When set, every request answers this status. */
  failWith: number | null;
  close(): Promise<void>;
}

export async function startFakeOrm(secret: string): Promise<FakeOrm> {
  const key = new TextEncoder().encode(secret);
  const state = { owners: new Map<number, { ex_ids: number[]; bot_ids: number[] }>(), requests: 0, failWith: null as number | null };
  const server: Server = createServer(async (request, response) => {
    state.requests++;
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (state.failWith) return reply(state.failWith, { detail: 'failing' });
    const match = /^\/internal\/users\/(\d+)\/ownership$/.exec(request.url ?? '');
    if (!match || request.method !== 'GET') return reply(404, { detail: 'Not Found' });
    try {
      const { payload } = await jwtVerify(String(request.headers['x-gateway-assertion'] ?? ''), key, { issuer: 'fullon-gateway', audience: 'orm_api' });
      if (payload.auth_method !== 'gateway' || payload.sub !== '0' || payload.role !== 'admin') return reply(404, { detail: 'Not Found' });
    } catch {
      return reply(401, { detail: 'Not authenticated' });
    }
    const uid = Number(match[1]);
    const owned = state.owners.get(uid) ?? { ex_ids: [], bot_ids: [] };
    reply(200, { uid, ...owned });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get owners() {
      return state.owners;
    },
    get requests() {
      return state.requests;
    },
    get failWith() {
      return state.failWith;
    },
    set failWith(value) {
      state.failWith = value;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
