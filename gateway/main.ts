// Entry point (`npm start`). The same file runs as the primary (config, supervisor,
// health, signals: gateway/cluster/primary.ts) and, forked by it through
// node:cluster, as each of the WORKERS data-plane workers (the listener, routes,
// auth caches, proxy: gateway/cluster/worker.ts). docs/workers.md. Wiring only.
import cluster from 'node:cluster';

if (cluster.isPrimary) await (await import('./cluster/primary.ts')).runPrimary();
else await (await import('./cluster/worker.ts')).runWorker();
