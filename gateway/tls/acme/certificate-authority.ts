// Talks to the ACME server through acme-client (publishlab/node-acme-client: RFC
// 8555, maintained, used by many Node projects; docs/contributing.md says why). One
// job: given a domain and a place to put HTTP-01 answers, come back with a key and a
// certificate chain, or throw. Scheduling, storage and retries are the manager's.
import { rootCertificates } from 'node:tls';
import { Agent } from 'node:https';
import type { AxiosAdapter } from 'axios';
import type { ChallengeStore } from './challenge-store.ts';

type AcmeModule = typeof import('acme-client');
type AxiosModule = typeof import('axios');

export interface CertificateAuthorityOptions {
  directoryUrl: string;
  email: string | null;
  accountKeyPem: string;
  /** Extra trusted CA certificates (PEM) for the directory's TLS, added to Node's roots. */
  caPem: string | null;
  /** How often an order's status is polled while the CA validates (acme-client's backoff). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** One HTTP request to the CA never takes longer than this (axios has no timeout by default). */
  requestTimeoutMs?: number;
}

export interface IssuedPair {
  keyPem: string;
  certPem: string;
}

export interface CertificateAuthority {
  /** Runs one order for `domain` (new key, HTTP-01, finalize, download). */
  obtain(domain: string, challenges: ChallengeStore): Promise<IssuedPair>;
}

/** Loaded on first use: a gateway without ACME_DOMAINS never pays for acme-client, axios and forge. */
let loaded: Promise<[AcmeModule, AxiosModule]> | null = null;

export async function createCertificateAuthority(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
  loaded ??= Promise.all([import('acme-client'), import('axios')]);
  const [acme, axios] = await loaded;
  configureHttp(acme, axios, options);
  const client = new acme.Client({
    directoryUrl: options.directoryUrl,
    accountKey: options.accountKeyPem,
    // acme-client polls pending orders with 5-30 s waits and 10 attempts; a CA
    // validates in seconds, so poll sooner (the total is still about a minute).
    backoffMin: options.pollMinMs ?? 1000,
    backoffMax: options.pollMaxMs ?? 10_000,
    backoffAttempts: 10,
  });
  return {
    async obtain(domain, challenges) {
      const [keyPem, csr] = await acme.crypto.createCsr({ commonName: domain, altNames: [domain] }, await acme.crypto.createPrivateEcdsaKey('P-256'));
      const certPem = await client.auto({
        csr,
        email: options.email ?? undefined,
        // Setting ACME_DOMAINS is the operator's agreement to the CA's terms (docs/https.md).
        termsOfServiceAgreed: true,
        challengePriority: ['http-01'],
        // acme-client would first fetch http://<domain>/.well-known/... itself; from
        // inside the network that often fails (no hairpin NAT, split DNS) while the
        // CA's own check passes, so the CA is the only judge.
        skipChallengeVerification: true,
        challengeCreateFn: async (_authz, challenge, keyAuthorization) => challenges.put(challenge.token, keyAuthorization),
        challengeRemoveFn: async (_authz, challenge) => challenges.remove(challenge.token),
      });
      return { keyPem: keyPem.toString(), certPem };
    },
  };
}

/**
 * acme-client's HTTP settings live on its own axios instance (not Node's global
 * agent, so nothing else in the process trusts the extra CA). Its built-in retry of
 * a refused or 5xx request waits 5+10+15+20+25 s inside one call; the manager's
 * backoff (which logs when the next try is) replaces it.
 */
function configureHttp(acme: AcmeModule, axios: AxiosModule, options: CertificateAuthorityOptions): void {
  const settings = acme.axios.defaults as typeof acme.axios.defaults & { acmeSettings: { retryMaxAttempts: number } };
  settings.acmeSettings.retryMaxAttempts = 0;
  settings.timeout = options.requestTimeoutMs ?? 30_000;
  settings.adapter = keepNetworkErrors(axios.default.getAdapter('http'), axios.AxiosError);
  settings.httpsAgent = options.caPem ? new Agent({ ca: [...rootCertificates, options.caPem], keepAlive: true }) : undefined;
}

/**
 * acme-client 5.4's response interceptor turns an error without a response (refused,
 * reset, timed out: the CA is down) into "Cannot read properties of undefined
 * (reading 'config')" once it stops retrying. An error without `config` passes
 * through it untouched, so the adapter rethrows network errors as plain ones and the
 * log line says what really happened.
 */
function keepNetworkErrors(adapter: AxiosAdapter, AxiosError: AxiosModule['AxiosError']): AxiosAdapter {
  return async (config) => {
    try {
      return await adapter(config);
    } catch (error) {
      if (error instanceof AxiosError && !error.response) {
        throw new Error(`${config.method?.toUpperCase() ?? 'GET'} ${config.url}: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '), { cause: error });
      }
      throw error;
    }
  };
}
