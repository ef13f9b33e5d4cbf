// Wiring of automatic certificates for one gateway: the ACME manager and the
// plain-HTTP listener (challenges + redirect to HTTPS). It must run ONCE per
// gateway — the primary when there are workers — because the manager owns
// DATA_DIR/acme; listeners elsewhere see its work only through those files.
import { X509Certificate } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import { createHttpRedirectServer, listenHttpRedirect } from '../http-redirect.ts';
import type { HttpRedirectSettings } from '../redirect-settings.ts';
import { AccountKeyError, loadOrCreateAccountKey } from './account-key.ts';
import { createCertificateAuthority } from './certificate-authority.ts';
import { createChallengeStore } from './challenge-store.ts';
import { acmePaths } from './files.ts';
import { AcmeManager } from './manager.ts';
import type { AcmeSettings } from './settings.ts';

export interface CertificateAutomationOptions {
  acme: AcmeSettings | null;
  httpRedirect: HttpRedirectSettings | null;
  dataDir: string;
  /** The HTTPS port a redirect points at when HTTP_REDIRECT_HTTPS_PORT is unset (the gateway's, once listening). */
  gatewayPort: () => number;
  logger: Logger;
}

export interface CertificateAutomation {
  manager: AcmeManager | null;
  redirectPort: number | null;
  close(): Promise<void>;
}

/** A problem the operator must fix before the gateway can start (one line, exit 1). */
export class CertificateAutomationError extends Error {}

export async function startCertificateAutomation(options: CertificateAutomationOptions): Promise<CertificateAutomation> {
  const { acme, httpRedirect, logger } = options;
  const paths = acmePaths(options.dataDir);
  const challenges = createChallengeStore(paths.challengesDir);
  let redirectPort: number | null = null;
  let server: ReturnType<typeof createHttpRedirectServer> | null = null;
  // The challenge answerer listens before the first order, or the CA finds no one.
  if (httpRedirect) {
    server = createHttpRedirectServer({
      names: httpRedirect.names,
      get httpsPort() {
        return httpRedirect.httpsPort ?? options.gatewayPort();
      },
      challenges,
      logger,
    });
    redirectPort = await listenHttpRedirect(server, httpRedirect.host, httpRedirect.port).catch((error: NodeJS.ErrnoException) => {
      throw new CertificateAutomationError(`HTTP_REDIRECT_PORT: cannot listen on ${httpRedirect.host}:${httpRedirect.port} (${error.code ?? error.message})${error.code === 'EACCES' ? '; ports below 1024 need CAP_NET_BIND_SERVICE or a port forward' : ''}`);
    });
    logger.info({ port: redirectPort, host: httpRedirect.host, names: [...httpRedirect.names] }, `plain HTTP on port ${redirectPort}: ACME challenges, and 308 to HTTPS for ${[...httpRedirect.names].join(', ')}`);
  }
  let manager: AcmeManager | null = null;
  if (acme) {
    const caPem = acme.caFile ? await readCaFile(acme.caFile) : null;
    const account = await loadOrCreateAccountKey(paths).catch((error: unknown) => {
      if (error instanceof AccountKeyError) throw new CertificateAutomationError(error.message);
      throw error;
    });
    if (account.created) logger.info({ capability: 'acme', file: paths.accountKey }, `new ACME account key written to ${paths.accountKey}`);
    // Answers left by an order that a crash interrupted are of no use to anyone: start clean.
    await rm(paths.challengesDir, { recursive: true, force: true });
    const authority = await createCertificateAuthority({ directoryUrl: acme.directoryUrl, email: acme.email, accountKeyPem: account.pem, caPem });
    manager = new AcmeManager({ domains: acme.domains, paths, authority, challenges, logger });
    logger.info({ capability: 'acme', directory: acme.directoryUrl, domains: acme.domains }, `automatic certificates for ${acme.domains.join(', ')} from ${acme.directoryUrl}`);
    manager.start();
  }
  return {
    manager,
    redirectPort,
    async close() {
      manager?.stop();
      if (server) await new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections());
    },
  };
}

/** ACME_CA_FILE: readable, and a PEM certificate (else the first order would fail with an obscure TLS error). */
async function readCaFile(file: string): Promise<string> {
  const pem = await readFile(file, 'utf8').catch(() => {
    throw new CertificateAutomationError(`ACME_CA_FILE: cannot read ${file}`);
  });
  try {
    new X509Certificate(pem);
  } catch {
    throw new CertificateAutomationError(`ACME_CA_FILE: ${file} is not a PEM certificate`);
  }
  return pem;
}
