// JSON bodies as FastAPI read them: a request that says application/json but
// sends nothing (httpx's DELETE with a JSON content-type header, a bare PATCH) has
// no body, not a broken one; every other body goes through fastify's own parser
// (prototype-poisoning checks included).
import type { FastifyInstance } from 'fastify';

export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, typeof body === 'string' ? body : body.toString('utf8'), done);
  });
}
