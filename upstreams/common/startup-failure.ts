// Start-up failures of an upstream process that an operator can fix (database
// unreachable or refusing us, port in use) become one fatal line saying what to
// do, without a stack trace; anything else keeps its stack. The gateway re-logs
// the line under the service's name.
import type { Logger } from 'pino';

export interface StartupContext {
  /** The variable that names this process's database, e.g. DATABASE_URL. */
  databaseVariable?: string;
}

interface ErrorFacts {
  code?: string;
  address?: string;
  port?: number;
  hostname?: string;
  message?: string;
}

export function explainStartupError(error: unknown, context: StartupContext = {}): string | null {
  const facts = (error ?? {}) as ErrorFacts;
  const variable = context.databaseVariable ?? 'the database URL';
  const where = facts.address ? `${facts.address}${facts.port ? `:${facts.port}` : ''}` : 'the database';
  switch (facts.code) {
    case 'ECONNREFUSED':
      return `cannot reach ${where} (connection refused): start Postgres there, or fix ${variable}`;
    case 'ETIMEDOUT':
      return `cannot reach ${where} (timed out): check the host and firewall, or fix ${variable}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the database host ${facts.hostname ?? ''} in ${variable}: fix the host name`;
    case '28P01':
    case '28000':
      return `the database refused the login (${facts.code}): fix the user or password in ${variable}, or pg_hba.conf`;
    case '3D000':
      return `the database named in ${variable} does not exist: create it (e.g. \`createdb <name>\`) or fix ${variable}`;
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use; stop that process or let the supervisor pick a port (no url in routes.yaml)`;
    default:
      return null;
  }
}

/** Runs an upstream's start-up; a known failure is one fatal line, an unknown one keeps its stack. Exits 1 on failure. */
export async function startUpstream(logger: Logger, context: StartupContext, start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (error) {
    const explained = explainStartupError(error, context);
    if (explained) logger.fatal({ code: (error as ErrorFacts).code }, explained);
    else logger.fatal({ err: error }, 'failed to start');
    logger.flush?.();
    process.exit(1);
  }
}
