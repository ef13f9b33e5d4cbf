// JSON bodies as FastAPI read them: a request that says application/json but
// sends nothing (httpx's DELETE with a JSON content-type header, a bare PATCH) has
// no body, not a broken one; every other body goes through fastify's own parser
// (prototype-poisoning checks included), after the one nesting limit (json-depth.ts).
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';
import { JSON_TOO_DEEP_MSG, jsonTooDeep } from './json-depth.ts';

export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonTooDeep(text)) {
      done(new HttpError(422, 'JSON_TOO_DEEP', [{ loc: ['body'], msg: JSON_TOO_DEEP_MSG, type: 'json_too_deep' }]), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
