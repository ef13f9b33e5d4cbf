// API key material: `fullon_ak_<base64url of 32 random bytes>`, stored only as a
// sha256 hash plus a short visible prefix so a user can tell keys apart.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'fullon_ak_';
/** Characters of the key kept in clear for display (fullon_ak_ + 2). */
export const VISIBLE_PREFIX_LENGTH = 12;
/** Longest string worth hashing; real keys are 53 characters. */
export const MAX_API_KEY_LENGTH = 256;

export interface GeneratedApiKey { key: string; hash: string; prefix: string }

export function generateApiKey(): GeneratedApiKey {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, VISIBLE_PREFIX_LENGTH) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Cheap shape check before touching the database (fullon: length ≥ 10, fullon_ak_ prefix). */
export function looksLikeApiKey(key: string): boolean {
  return key.length >= 10 && key.length <= MAX_API_KEY_LENGTH && key.startsWith(API_KEY_PREFIX);
}

/** Constant-time equality of two hex hashes (defence in depth after the indexed lookup). */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
