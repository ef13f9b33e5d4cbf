// Exchange API credentials encrypted at rest with AES-256-GCM. The key comes
// from EXCHANGE_SECRET_KEY (64 hex chars used as-is, anything else hashed with
// sha256); stored values are `v1.<iv>.<tag>.<ciphertext>` in base64url.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';

export interface ExchangeCredentials {
  key: string;
  secret: string;
  passphrase?: string | undefined;
}

export interface CredentialCipher {
  encrypt(credentials: ExchangeCredentials): string;
  decrypt(stored: string): ExchangeCredentials;
}

const DEV_KEY_MATERIAL = 'fullon-dev-only-exchange-secret-key';

export function createCredentialCipher(secret: string | undefined, logger?: Logger): CredentialCipher {
  if (!secret) logger?.warn('EXCHANGE_SECRET_KEY is not set: exchange credentials are encrypted with a development key');
  const key = /^[0-9a-fA-F]{64}$/.test(secret ?? '')
    ? Buffer.from(secret!, 'hex')
    : createHash('sha256').update(secret ?? DEV_KEY_MATERIAL).digest();
  return {
    encrypt(credentials) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    decrypt(stored) {
      const [version, iv, tag, body] = stored.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown credential format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
      return JSON.parse(plain) as ExchangeCredentials;
    },
  };
}
