// Tiny client helpers shared by the examples: where the gateway is, who the
// admin is, a JSON fetch wrapper, the OAuth2 password-form login and a regular
// user of the example's own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

export function gatewayUrl(): string {
  return (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
}

/** The gateway's WebSocket address for a path (ws:// for http://, wss:// for https://). */
export function wsUrl(path: string): string {
  return `${gatewayUrl().replace(/^http/, 'ws')}${path}`;
}

export function adminCredentials(): { mail: string; password: string } {
  return { mail: process.env.ADMIN_MAIL ?? 'admin@fullon', password: process.env.ADMIN_PASSWORD ?? '' };
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface JsonRequest {
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as an HTML form (application/x-www-form-urlencoded) instead, as OAuth2 password logins are. */
  form?: Record<string, string>;
  /** Sent as Authorization: Bearer. */
  token?: string;
  /** Sent as X-API-Key, even when empty (an empty key is a malformed key too). */
  apiKey?: string;
  headers?: Record<string, string>;
}

/** fetch against the gateway; JSON (or a form) in, JSON (or text) out, never throws on a status. */
export async function fetchJson<T = any>(path: string, options: JsonRequest = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  let body: string | undefined;
  if (options.form !== undefined) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${gatewayUrl()}${path}`, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** POST /api/v1/auth/login as an OAuth2 password form; returns the access token. */
export async function login(mail: string, password: string): Promise<string> {
  const { status, body } = await fetchJson<{ access_token?: string; detail?: unknown }>('/api/v1/auth/login', { form: { username: mail, password } });
  if (status !== 200 || !body?.access_token) throw new Error(`login as ${mail} failed: ${status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Logs in as the admin (ADMIN_MAIL / ADMIN_PASSWORD); returns the access token. */
export async function loginAsAdmin(): Promise<string> {
  const admin = adminCredentials();
  assert.ok(admin.password, 'set ADMIN_PASSWORD');
  return login(admin.mail, admin.password);
}

export interface NewUser {
  mail: string;
  password: string;
  uid: number;
  /** The user record POST /api/v1/orm/users answered with. */
  record: Record<string, any>;
}

/**
 * As the admin, creates a regular user of the example's own (POST /api/v1/orm/users):
 * a fresh `<label>-xxxxxxxx@example.com`, a random password, plus `profile`
 * (name, lastname, role, ...). Fails unless the answer is 200 (creates answer 200, as FastAPI did).
 */
export async function createUser(adminToken: string, label: string, profile: Record<string, unknown> = {}): Promise<NewUser> {
  const mail = `${label}-${randomUUID().slice(0, 8)}@example.com`;
  const password = `pw-${randomUUID()}`;
  const created = await fetchJson('/api/v1/orm/users', { token: adminToken, body: { mail, password, ...profile } });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  return { mail, password, uid: created.body.uid, record: created.body };
}

/** Polls fn until it returns true, or throws after timeoutMs (for things that happen asynchronously, like a reload). */
export async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
