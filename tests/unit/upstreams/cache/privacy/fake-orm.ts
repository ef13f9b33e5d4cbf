// A tiny stand-in for the orm upstream's ownership endpoint, on port 0: checks
// the caller's service assertion with the real verifier (public keys only) and
// answers from a map; only the cache_api service identity is answered.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAssertionVerifier } from '../../../../../upstreams/common/assertion.ts';
import { loadAssertionKeys } from '../../../../../upstreams/common/assertion-keys.ts';
import { TEST_ASSERTION_ENV } from '../../../../helpers/assertion.ts';

export interface FakeOrm {
  url: string;
  owners: Map<number, { ex_ids: number[]; bot_ids: number[] }>;
  requests: number;
  /** When set, every request answers this status. */
  failWith: number | null;
  close(): Promise<void>;
}

/** serviceJwks: the public keys of the services the fake orm trusts (kid = name). */
export async function startFakeOrm(serviceJwks: string): Promise<FakeOrm> {
  const verify = createAssertionVerifier({ audience: 'orm_api', keys: loadAssertionKeys({ ...TEST_ASSERTION_ENV, SERVICE_ASSERTION_JWKS: serviceJwks }) });
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
      const identity = await verify(String(request.headers['x-gateway-assertion'] ?? ''));
      if (identity.authMethod !== 'service' || identity.service !== 'cache_api') return reply(403, { detail: 'Forbidden' });
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
