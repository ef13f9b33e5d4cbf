// Who is asking, as the edge decided it. Produced by gateway/auth, consumed by
// the pipeline (policy, identity headers, access log) and by local handlers.

export interface AuthenticatedUser {
  userId: number;
  email: string;
  name: string;
  role: 'admin' | 'user';
  scopes: string[];
  authMethod: 'jwt' | 'api_key';
  /** Credential expiry (epoch seconds), used to close WebSockets with 1008 when it passes. */
  expiresAt: number | null;
  /** The API key's id when authMethod is api_key (revocation events name keys by id). */
  apiKeyId?: number;
}

/** Outcome of checking a request's credentials. */
export type AuthOutcome =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: AuthenticatedUser }
  /** Credentials present but bad (401) or ambiguous (400). */
  | { kind: 'rejected'; status: 400 | 401 | 503; detail: string; code?: string };

/**
 * The edge's auth, as the pipeline sees it. gateway/auth implements it; the
 * pipeline depends only on this interface so it can be tested with a stub.
 */
export interface EdgeAuth {
  /** Reads Authorization / X-API-Key (and, for upgrades, ?token= and Sec-WebSocket-Protocol). */
  authenticate(request: import('node:http').IncomingMessage, url: URL, isUpgrade: boolean): Promise<AuthOutcome>;
  /**
   * The outcome when it needs no waiting (no credential, a malformed one, a token or
   * key already checked); null: ask authenticate(). Lets the pipeline stay
   * synchronous for the common request, as the hot path must (docs/benchmarks.md).
   */
  authenticateNow?(request: import('node:http').IncomingMessage, url: URL, isUpgrade: boolean): AuthOutcome | null;
  /** Admin = role admin or mail equal to ADMIN_MAIL. */
  isAdmin(user: AuthenticatedUser): boolean;
  /** Headers to set upstream for this user: x-user-*, x-auth-method, x-gateway-assertion (aud = upstream). */
  identityHeaders(user: AuthenticatedUser, upstream: string): Promise<Record<string, string>>;
  /**
   * Headers for a proxied request nobody signed in for (an `auth: public` route):
   * an anonymous x-gateway-assertion (aud = upstream), which upstreams accept only
   * on endpoints that allow anonymous callers. Absent: nothing is added.
   */
  anonymousHeaders?(upstream: string): Promise<Record<string, string>>;
  /** identityHeaders()' or anonymousHeaders()' answer while it is cached (user null: anonymous), read-only; null: ask them. */
  cachedHeaders?(user: AuthenticatedUser | null, upstream: string): Readonly<Record<string, string>> | null;
  /** Revocation: stop trusting cached credentials of these users/keys (gateway/auth/invalidation.ts). */
  invalidate?(items: readonly import('./invalidation.ts').Invalidation[]): void;
  /**
   * After a revocation event naming this user or key: may a WebSocket opened with
   * these credentials stay open? (An orm that cannot answer keeps it open.)
   */
  stillAuthorized?(user: AuthenticatedUser, item: import('./invalidation.ts').Invalidation): Promise<boolean>;
}
