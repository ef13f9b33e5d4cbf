// Tiny client helpers shared by the examples: where the gateway is, who the
// admin is, a JSON fetch wrapper and the OAuth2 password-form login.

export function gatewayUrl(): string {
  return (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, '');
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
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** fetch against the gateway; JSON in, JSON (or text) out, never throws on a status. */
export async function fetchJson<T = any>(path: string, options: JsonRequest = {}): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
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
  const response = await fetch(`${gatewayUrl()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: mail, password }),
  });
  const body = (await response.json()) as { access_token?: string; detail?: unknown };
  if (response.status !== 200 || !body.access_token) throw new Error(`login as ${mail} failed: ${response.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Polls fn until it returns true, or throws after timeoutMs (for things that happen asynchronously, like a reload). */
export async function waitFor(what: string, fn: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
