// HTTP-01 challenge tokens as files (DATA_DIR/acme/challenges/<token>): the manager
// writes one while its order runs, and whichever process holds the plain-HTTP
// listener (this one, or a worker) reads it on the CA's request. Files, not memory,
// so it works across processes without an IPC message.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from './files.ts';

// RFC 8555 §8.3: the token is base64url, at least 128 bits of entropy (22+
// characters). Anything else in the URL is not a token and never touches the disk.
const TOKEN = /^[A-Za-z0-9_-]{16,256}$/;

export function isChallengeToken(text: string): boolean {
  return TOKEN.test(text);
}

export interface ChallengeStore {
  put(token: string, keyAuthorization: string): Promise<void>;
  remove(token: string): Promise<void>;
  /** The key authorization for this token, or null (unknown or malformed token). */
  get(token: string): Promise<string | null>;
}

export function createChallengeStore(dir: string): ChallengeStore {
  const fileOf = (token: string) => {
    if (!isChallengeToken(token)) throw new Error('not an ACME challenge token');
    return join(dir, token);
  };
  return {
    async put(token, keyAuthorization) {
      const file = fileOf(token);
      await ensurePrivateDir(dir);
      await writeFileAtomic(file, keyAuthorization);
    },
    async remove(token) {
      await rm(fileOf(token), { force: true });
    },
    async get(token) {
      if (!isChallengeToken(token)) return null;
      return readIfExists(join(dir, token));
    },
  };
}
