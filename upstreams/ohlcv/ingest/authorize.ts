// Who may ingest: admins, or callers whose API key carries the ohlcv:write scope.
import type { FastifyRequest } from 'fastify';
import { forbidden } from '../../common/errors.ts';
import { identityOf } from '../../common/server.ts';
import type { Identity } from '../../common/assertion.ts';
import { OHLCV_DEFAULTS } from '../settings.ts';

export function requireWriter(request: FastifyRequest): Identity {
  const identity = identityOf(request);
  if (identity.role === 'admin' || identity.scopes.includes(OHLCV_DEFAULTS.writeScope)) return identity;
  throw forbidden(`Ingest requires the admin role or the '${OHLCV_DEFAULTS.writeScope}' scope`);
}
