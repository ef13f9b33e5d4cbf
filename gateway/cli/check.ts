// `npm run check -- routes.yaml` (like `nginx -t`): validates a routes file and
// prints every problem as `file:line:col: path: message`; exit 1 when any, else "ok".
import { loadEnvFile } from '../config/env-file.ts';
import { applyFullonEnvFallbacks } from '../config/fullon-env.ts';
import { loadConfigFile } from '../config/load.ts';
import { formatProblems } from '../config/problems.ts';

export async function runCheck(file: string, out: (line: string) => void = console.log): Promise<number> {
  const result = await loadConfigFile(file);
  if (result.ok) {
    const { config } = result;
    out(`ok: ${config.file}: ${config.upstreams.size} upstreams, ${config.services.size} services, ${config.routes.length} routes`);
    return 0;
  }
  out(formatProblems(result.problems));
  out(`${result.problems.length} problem${result.problems.length === 1 ? '' : 's'} found`);
  return 1;
}

if (import.meta.main) {
  // ${VAR} in the file is interpolated from the environment the gateway would see.
  loadEnvFile();
  applyFullonEnvFallbacks();
  const file = process.argv[2] ?? process.env.ROUTES_FILE ?? 'routes.yaml';
  process.exitCode = await runCheck(file);
}
