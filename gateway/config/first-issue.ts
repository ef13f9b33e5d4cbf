// One line for a failed zod parse of environment settings: the first problem,
// named by its variable ("TLS_MIN_VERSION: ..."), as every start-up error is one line.
import type { z } from 'zod';

export function firstIssueLine(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}
