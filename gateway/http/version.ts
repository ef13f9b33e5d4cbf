// The gateway's version, from package.json, read once at start-up.
import { readFileSync } from 'node:fs';

export function readGatewayVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}
