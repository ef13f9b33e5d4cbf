// The console's static files: a known file is served with its page headers; any
// other name is the catalogue's NOT_FOUND (one error writer), never a disk read.
import { describe, expect, it } from 'vitest';
import { createConsoleRoutes } from '../../../../gateway/console/routes.ts';
import { GatewayError } from '../../../../gateway/pipeline/errors.ts';
import type { GatewayConfig } from '../../../../gateway/config/types.ts';
import type { GatewayLifecycle } from '../../../../gateway/http/lifecycle.ts';

const routes = createConsoleRoutes({ config: () => ({}) as GatewayConfig, lifecycle: {} as GatewayLifecycle });
const fileRoute = routes.find((route) => route.path === '/console/:file')!;
const pageRoute = routes.find((route) => route.path === '/console')!;

describe('console static files', () => {
  it('serves the page with its content-security-policy', async () => {
    const page = await pageRoute.handle({} as never, {});
    expect(page.status).toBe(200);
    expect(page.headers?.['content-security-policy']).toContain("default-src 'none'");
  });

  it.each(['missing.js', '..', '%2e%2e', 'routes.ts', ''.padEnd(300, 'a')])('answers %s with the catalogue NOT_FOUND', async (name) => {
    let thrown: unknown;
    try {
      await fileRoute.handle({} as never, { file: name });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });
});
