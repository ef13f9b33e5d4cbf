// Parses a login body: the OAuth2 password form fullon clients send
// (username = mail, password) or JSON ({username|email, password}); missing
// fields give FastAPI's 422 shape so existing clients read the same errors.
import { JSON_TOO_DEEP_MSG, jsonTooDeep } from '../http/json-depth.ts';

export interface LoginRequest {
  mail: string;
  password: string;
}

export interface ValidationIssue {
  type: string;
  loc: Array<string | number>;
  msg: string;
  input: unknown;
}

export type ParsedLogin = { ok: true; login: LoginRequest } | { ok: false; status: 415 | 422; detail: string | ValidationIssue[] };

const MAX_FIELD = 1024;

export function parseLoginBody(contentType: string | undefined, body: Buffer): ParsedLogin {
  const type = (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body.toString('utf8'));
    return validate({ username: form.get('username'), password: form.get('password') }, 'username');
  }
  if (type === 'application/json' || type.endsWith('+json')) {
    const text = body.toString('utf8');
    if (jsonTooDeep(text)) return { ok: false, status: 422, detail: [{ type: 'json_too_deep', loc: ['body'], msg: JSON_TOO_DEEP_MSG, input: {} }] };
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, status: 422, detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }] };
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return { ok: false, status: 422, detail: [{ type: 'model_attributes_type', loc: ['body'], msg: 'Input should be a valid dictionary or object', input: parsed }] };
    }
    const record = parsed as Record<string, unknown>;
    const field = record.username !== undefined ? 'username' : record.email !== undefined ? 'email' : 'username';
    return validate({ username: record[field], password: record.password }, field);
  }
  if (body.length === 0) {
    // FastAPI's answer to a bodiless form POST: both fields missing.
    return validate({ username: undefined, password: undefined }, 'username');
  }
  return { ok: false, status: 415, detail: 'Unsupported media type: send application/x-www-form-urlencoded or application/json' };
}

function validate(fields: { username: unknown; password: unknown }, userField: string): ParsedLogin {
  const issues: ValidationIssue[] = [];
  const check = (value: unknown, name: string) => {
    if (value === undefined || value === null || value === '') {
      issues.push({ type: 'missing', loc: ['body', name], msg: 'Field required', input: null });
    } else if (typeof value !== 'string') {
      issues.push({ type: 'string_type', loc: ['body', name], msg: 'Input should be a valid string', input: value });
    } else if (value.length > MAX_FIELD) {
      issues.push({ type: 'string_too_long', loc: ['body', name], msg: `String should have at most ${MAX_FIELD} characters`, input: null });
    }
  };
  check(fields.username, userField);
  check(fields.password, 'password');
  if (issues.length > 0) return { ok: false, status: 422, detail: issues };
  return { ok: true, login: { mail: (fields.username as string).trim(), password: fields.password as string } };
}
