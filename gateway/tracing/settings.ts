// OTLP span export settings (the OpenTelemetry names): OTEL_EXPORTER_OTLP_ENDPOINT
// turns export on (an http(s) base URL; spans go to <endpoint>/v1/traces),
// OTEL_SERVICE_NAME names the gateway in the traces (default "fullon-gateway").
import { SettingsError } from '../config/settings.ts';
import type { SpanExportSettings } from './span-export.ts';

export function readSpanExportSettings(env: NodeJS.ProcessEnv): SpanExportSettings | null {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint) return null;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new SettingsError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got ${JSON.stringify(endpoint)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SettingsError(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL (got ${JSON.stringify(endpoint)})`);
  return { endpoint, serviceName: env.OTEL_SERVICE_NAME?.trim() || 'fullon-gateway' };
}
