// Calls to the gateway's admin APIs with the admin's token. The token lives in
// sessionStorage (gone when the tab closes); nothing else is stored.
const TOKEN_KEY = 'fullon-console-token';

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
    this.status = status;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  const current = token.get();
  if (current) headers.authorization = `Bearer ${current}`;
  const response = await fetch(path, { method, headers, body, cache: 'no-store' });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? response.statusText);
  return data;
}

/** A plain-text admin read (the Prometheus exposition at /metrics). */
export async function apiText(path) {
  const headers = { accept: 'text/plain' };
  const current = token.get();
  if (current) headers.authorization = `Bearer ${current}`;
  const response = await fetch(path, { headers, cache: 'no-store' });
  const text = await response.text();
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = JSON.parse(text).detail ?? detail; } catch { /* not JSON */ }
    throw new ApiError(response.status, detail);
  }
  return text;
}

/** Signs in with the OAuth2 password form; only an admin gets past it. */
export async function signIn(mail, password) {
  const form = new URLSearchParams({ username: mail, password });
  const response = await fetch('/api/v1/auth/login', { method: 'POST', body: form, cache: 'no-store' });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data?.detail ?? response.statusText);
  if (data?.user?.role !== 'admin') throw new ApiError(403, 'This console is for admins only');
  token.set(data.access_token);
  return data.user;
}
