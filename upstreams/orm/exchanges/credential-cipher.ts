// Exchange API credentials encrypted at rest with AES-256-GCM. The key material
// comes from exchange-key.ts (EXCHANGE_SECRET_KEY, or a key generated per install):
// 64 hex chars are used as-is, anything else is hashed with sha256. Stored values
// are `v1.<iv>.<tag>.<ciphertext>` in base64url.
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

// Earlier releases encrypted with this public key when EXCHANGE_SECRET_KEY was
// unset. Values it wrote are still read (never written), so an upgrade loses no
// stored credentials; each such read is logged so the operator can re-save them.
const LEGACY_DEV_KEY_MATERIAL = 'fullon-dev-only-exchange-secret-key';

function keyFrom(secret: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(secret) ? Buffer.from(secret, 'hex') : createHash('sha256').update(secret).digest();
}

function decryptWith(key: Buffer, iv: string, tag: string, body: string): ExchangeCredentials {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as ExchangeCredentials;
}

export function createCredentialCipher(secret: string, logger?: Pick<Logger, 'warn'>): CredentialCipher {
  if (!secret) throw new Error('createCredentialCipher needs key material (see exchange-key.ts)');
  const key = keyFrom(secret);
  const legacyKey = keyFrom(LEGACY_DEV_KEY_MATERIAL);
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
      try {
        return decryptWith(key, iv, tag, body);
      } catch (error) {
        let legacy: ExchangeCredentials;
        try {
          legacy = decryptWith(legacyKey, iv, tag, body);
        } catch {
          throw error;
        }
        logger?.warn('exchange credentials stored with the old public development key were read: save them again to re-encrypt them with the current key');
        return legacy;
      }
    },
  };
}
