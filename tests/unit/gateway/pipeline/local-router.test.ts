import { describe, expect, it } from 'vitest';
import type { LocalRoute } from '../../../../gateway/pipeline/context.ts';
import { LocalRouter } from '../../../../gateway/pipeline/local-router.ts';

const route = (method: LocalRoute['method'], path: string): LocalRoute => ({ method, path, auth: 'public', handle: () => ({ status: 200, body: path }) });

describe('LocalRouter', () => {
  const router = new LocalRouter([route('GET', '/health'), route('POST', '/health/check'), route('GET', '/health/check'), route('GET', '/api/v1/services/:name/status'), route('GET', '/api/v1/services/all/status'), route('POST', '/api/v1/services/:name/:action')]);

  it.each([
    ['GET', '/health', '/health', {}],
    ['HEAD', '/health', '/health', {}],
    ['POST', '/health/check', '/health/check', {}],
    ['GET', '/api/v1/services/orm/status', '/api/v1/services/:name/status', { name: 'orm' }],
    ['GET', '/api/v1/services/all/status', '/api/v1/services/all/status', {}],
    ['POST', '/api/v1/services/orm/restart', '/api/v1/services/:name/:action', { name: 'orm', action: 'restart' }],
  ])('%s %s matches %s', (method, path, pattern, params) => {
    const match = router.match(method, path);
    expect(match).toMatchObject({ kind: 'route', params });
    expect(match?.kind === 'route' && match.route.path).toBe(pattern);
  });

  it.each([['/healthz'], ['/health/check/x'], ['/api/v1/services//status'], ['/'], ['/api/v1/orm/users/me'], ['/api/v1/servicesx/orm/status'], ['/api/v2/services/orm/status'], ['/api'], ['']])('does not match %s', (path) => {
    expect(router.match('GET', path)).toBeNull();
  });

  it('answers with the allowed methods for a known path and another method', () => {
    expect(router.match('DELETE', '/health')).toEqual({ kind: 'method', allow: ['GET'] });
  });

  it('matches a route that starts with a parameter, and routes added later', () => {
    const open = new LocalRouter([route('GET', '/health')]);
    expect(open.match('GET', '/metrics/orm')).toBeNull();
    open.add([route('GET', '/metrics/:service'), route('GET', '/:any/status')]);
    expect(open.match('GET', '/metrics/orm')).toMatchObject({ kind: 'route', params: { service: 'orm' } });
    expect(open.match('GET', '/orm/status')).toMatchObject({ kind: 'route', params: { any: 'orm' } });
    expect(open.match('GET', '/api/v1/orm/users')).toBeNull();
  });

  it('refuses a duplicate route at registration', () => {
    expect(() => router.add([route('GET', '/health')])).toThrow(/duplicate/);
  });
});
