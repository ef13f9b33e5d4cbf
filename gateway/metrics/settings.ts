// Metrics settings, read once (config/process-settings.ts gathers them):
// METRICS_ENABLED=false turns recording off (no counting on the request path,
// no /metrics routes, no METRICS_PORT listener: the "metrics off" of the
// benchmark); METRICS_PORT opens a listener on 127.0.0.1 in the primary that
// serves the aggregated metrics without credentials (docs/metrics.md).
import { z } from 'zod';
import { SettingsError } from '../config/settings.ts';

export interface MetricsSettings {
  enabled: boolean;
  /** Loopback port of the credential-free listener (0: any free one, logged); null: none. */
  port: number | null;
}

const METRICS_SETTINGS = z.object({
  METRICS_ENABLED: z.enum(['true', 'false'], { message: 'METRICS_ENABLED must be true or false' }).optional(),
  METRICS_PORT: z
    .string()
    .regex(/^\d+$/, 'METRICS_PORT must be a port number from 0 to 65535')
    .transform(Number)
    .refine((port) => port <= 65_535, 'METRICS_PORT must be a port number from 0 to 65535')
    .optional(),
});

export function readMetricsSettings(env: NodeJS.ProcessEnv): MetricsSettings {
  const parsed = METRICS_SETTINGS.safeParse({ METRICS_ENABLED: env.METRICS_ENABLED?.trim().toLowerCase() || undefined, METRICS_PORT: env.METRICS_PORT?.trim() || undefined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new SettingsError(`${issue.message} (got ${JSON.stringify(env[name])})`);
  }
  return { enabled: parsed.data.METRICS_ENABLED !== 'false', port: parsed.data.METRICS_PORT ?? null };
}
