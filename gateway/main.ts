// Entry point (`npm start`). The same file runs as the primary (config, supervisor,
// health, signals: gateway/cluster/primary.ts) and, forked by it through
// node:cluster, as each of the WORKERS data-plane workers (the listener, routes,
// auth caches, proxy: gateway/cluster/worker.ts). docs/workers.md. Wiring only.
import cluster from 'node:cluster';
import { enableStackCompileCache } from './process/compile-cache.ts';

// Only when run: the install's warm-up imports this file to put it in the compile
// cache (gateway/cli/warm-compile-cache.ts), and nothing may start then.
if (import.meta.main) {
  // Before the primary's or a worker's modules load (they are imported below, not
  // statically): they, and every process the supervisor starts, reuse compiled code.
  enableStackCompileCache();
  if (cluster.isPrimary) await (await import('./cluster/primary.ts')).runPrimary();
  else await (await import('./cluster/worker.ts')).runWorker();
}
