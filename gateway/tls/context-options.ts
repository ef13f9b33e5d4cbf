// What every secure context of the gateway shares: protocol floor, cipher list,
// server cipher preference and session resumption. One place, so the default
// pair and every SNI pair negotiate the same way.
import { randomBytes } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import type { TlsMinVersion } from './settings.ts';

/**
 * TLS 1.3 suites first (Node's own defaults, all AEAD), then for TLS 1.2 only
 * ECDHE key exchange with AEAD ciphers: forward secrecy, no CBC, no static RSA,
 * no finite-field DHE (Mozilla's "intermediate" profile minus DHE).
 */
export const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Seconds a session may be resumed (Node's default is 300; a trading client reconnects often). */
export const SESSION_TIMEOUT_S = 3600;

export interface SharedContextOptions {
  minVersion: TlsMinVersion;
  ciphers: string;
  honorCipherOrder: boolean;
  sessionTimeout: number;
  /**
   * Session ticket keys (48 bytes), one set for every context of the process.
   * Without it every context, and every reload of the default pair, would get
   * fresh random keys and turn the tickets clients hold into full handshakes.
   */
  ticketKeys: Buffer;
}

export function sharedContextOptions(minVersion: TlsMinVersion, ticketKeys: Buffer = randomBytes(48)): SharedContextOptions {
  return { minVersion, ciphers: CIPHERS, honorCipherOrder: true, sessionTimeout: SESSION_TIMEOUT_S, ticketKeys };
}

/** The options of one pair's context: the shared ones plus its PEM text. */
export function pairContextOptions(shared: SharedContextOptions, cert: string, key: string): SecureContextOptions {
  return { ...shared, cert, key };
}
