// Asks the orm upstream's internal endpoints who a mail/password or an API key
// belongs to, as the gateway's service identity. Node's fetch over an undici
// keep-alive Agent with a bounded pool (so a flood of checks queues instead of
// opening connections without end); msw stands in for the orm in unit tests.
import { Agent } from 'undici';
import type { UpstreamRegistry } from '../registry/upstream-registry.ts';
import { GATEWAY_SERVICE_IDENTITY, type AssertionSigner } from './assertion-signer.ts';
import { AuthError } from './errors.ts';

export interface OrmUser {
  uid: number;
  mail: string;
  name: string;
  role: 'admin' | 'user';
  active: boolean;
}

export interface ApiKeyOwner {
  user: OrmUser;
  scopes: string[];
  apiKeyId: number;
  /** Epoch ms, or null for a key without expiry. */
  expiresAt: number | null;
}

export const ORM_CLIENT_DEFAULTS = {
  /** Concurrent connections to the orm for auth checks; further checks queue. */
  connections: 32,
  keepAliveTimeoutMs: 10_000,
} as const;

export interface OrmAuthClientOptions {
  registry: UpstreamRegistry;
  /** Upstream name (AUTH_UPSTREAM), also the assertion's aud. */
  upstream: string;
  signer: AssertionSigner;
  timeoutMs: number;
}

export class OrmAuthClient {
  readonly #options: OrmAuthClientOptions;
  readonly #dispatcher = new Agent({ connections: ORM_CLIENT_DEFAULTS.connections, keepAliveTimeout: ORM_CLIENT_DEFAULTS.keepAliveTimeoutMs });

  constructor(options: OrmAuthClientOptions) {
    this.#options = options;
  }

  /** Closes the keep-alive connections (gateway shutdown). */
  close(): Promise<void> {
    return this.#dispatcher.close();
  }

  /** 401 INVALID_CREDENTIALS for unknown mail, wrong password or inactive user; 503 when the orm cannot answer. */
  async verifyCredentials(mail: string, password: string): Promise<OrmUser> {
    const { status, body } = await this.#post('/internal/auth/verify-credentials', { mail, password });
    if (status === 401 || status === 422) throw new AuthError('INVALID_CREDENTIALS');
    if (status !== 200) throw unavailable(`verify-credentials answered ${status}`);
    const user = parseUser(body);
    if (!user) throw unavailable('verify-credentials answered an unexpected body');
    if (!user.active) throw new AuthError('INVALID_CREDENTIALS');
    return user;
  }

  /** 401 INVALID_API_KEY when unknown/inactive/expired/owner inactive; 503 when the orm cannot answer. */
  async verifyApiKey(apiKey: string): Promise<ApiKeyOwner> {
    const { status, body } = await this.#post('/internal/auth/verify-api-key', { api_key: apiKey });
    if (status === 401 || status === 422) throw new AuthError('INVALID_API_KEY');
    if (status !== 200) throw unavailable(`verify-api-key answered ${status}`);
    const record = (body ?? {}) as Record<string, unknown>;
    const user = parseUser(record.user);
    const expiresAt = record.expires_at == null ? null : Date.parse(String(record.expires_at));
    if (!user || (expiresAt !== null && Number.isNaN(expiresAt))) throw unavailable('verify-api-key answered an unexpected body');
    if (!user.active) throw new AuthError('INVALID_API_KEY');
    const scopes = Array.isArray(record.scopes) ? record.scopes.filter((s): s is string => typeof s === 'string') : [];
    return { user, scopes, apiKeyId: Number(record.api_key_id), expiresAt };
  }

  /** A token holder's current role and active state; 401 INVALID_TOKEN for an unknown user; 503 when the orm cannot answer. */
  async lookupUser(uid: number): Promise<OrmUser> {
    const { status, body } = await this.#post('/internal/auth/user-status', { uid });
    if (status === 401 || status === 422) throw new AuthError('INVALID_TOKEN', { reason: 'unknown user' });
    if (status !== 200) throw unavailable(`user-status answered ${status}`);
    const user = parseUser(body);
    if (!user || user.uid !== uid) throw unavailable('user-status answered an unexpected body');
    return user;
  }

  async #post(path: string, payload: unknown): Promise<{ status: number; body: unknown }> {
    const state = this.#options.registry.get(this.#options.upstream);
    if (!state?.target) throw unavailable(`${this.#options.upstream} has no known address`);
    if (state.availability === 'down') throw unavailable(`${this.#options.upstream} is down: ${state.reason ?? 'unknown'}`);
    const assertion = await this.#options.signer.sign(GATEWAY_SERVICE_IDENTITY, this.#options.upstream);
    let response: Response;
    try {
      response = await fetch(new URL(path, state.target), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-gateway-assertion': assertion },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
        redirect: 'error',
        // undici's own option on Node's fetch; not in the DOM RequestInit type.
        dispatcher: this.#dispatcher,
      } as RequestInit);
    } catch (error) {
      throw unavailable(`${this.#options.upstream} unreachable`, error);
    }
    let body: unknown = null;
    try {
      body = await response.json();
    } catch (error) {
      if (response.status === 200) throw unavailable(`${this.#options.upstream} answered non-JSON`, error);
    }
    return { status: response.status, body };
  }
}

function unavailable(reason: string, cause?: unknown): AuthError {
  return new AuthError('AUTH_UPSTREAM_UNAVAILABLE', { reason, cause });
}

function parseUser(value: unknown): OrmUser | null {
  const user = (value ?? {}) as Record<string, unknown>;
  const uid = Number(user.uid);
  if (!Number.isSafeInteger(uid) || uid < 1 || typeof user.mail !== 'string') return null;
  return {
    uid,
    mail: user.mail,
    name: typeof user.name === 'string' ? user.name : user.mail,
    role: user.role === 'admin' ? 'admin' : 'user',
    active: user.active !== false,
  };
}
