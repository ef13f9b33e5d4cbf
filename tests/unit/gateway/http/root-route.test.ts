// GET / answers what the Python original did, publicly, with the package version.
import { describe, expect, it } from 'vitest';
import { createRootRoute } from '../../../../gateway/http/root-route.ts';
import { readGatewayVersion } from '../../../../gateway/http/version.ts';
import type { RequestContext } from '../../../../gateway/pipeline/context.ts';

describe('root route', () => {
  it('is a public GET / naming the service, its version and where health, the API and its docs live', async () => {
    const route = createRootRoute('1.2.3');
    expect(route).toMatchObject({ method: 'GET', path: '/', auth: 'public' });
    expect(await route.handle({} as RequestContext, {})).toEqual({
      status: 200,
      body: { service: 'Fullon Master API', version: '1.2.3', docs: '/docs', health: '/health', api: '/api/v1' },
    });
  });

  it('reads the version from package.json', () => {
    expect(readGatewayVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
