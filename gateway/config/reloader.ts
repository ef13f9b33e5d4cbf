// Hot reload of routes.yaml: fs.watch on the file's directory (editors replace
// the file by rename-on-save, which a watch on the file itself would lose),
// debounced, and a content hash so only real changes reload; SIGHUP calls reload() directly. A bad file is refused with the same
// problems `check` prints; the running config stays.
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Logger } from 'pino';
import { loadConfigFile } from './load.ts';
import { formatProblems, locateProblem } from './problems.ts';
import { PartialReloadError } from './reload-transaction.ts';
import type { ConfigProblem, GatewayConfig } from './types.ts';

export interface ReloaderOptions {
  file: string;
  debounceMs: number;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /**
   * Applies a valid config (swap route table, sync registry, supervisor...), as one
   * transaction (reload-transaction.ts). May throw: a refusal, the running config
   * stays; a PartialReloadError: the new config is live in part, and said so.
   */
  apply: (config: GatewayConfig) => void | Promise<void>;
  /** Every attempt's outcome: null after a good reload, the problem text after a refusal. */
  /** `locations` name each problem without its message (see locateProblem). */
  onReloaded: (error: string | null, config: GatewayConfig | null, locations?: string[]) => void;
}

export type ReloadOutcome = { status: 'applied'; config: GatewayConfig } | { status: 'unchanged' } | { status: 'refused'; problems: ConfigProblem[]; text: string };

export class ConfigReloader {
  #options: ReloaderOptions;
  #file: string;
  #watcher: FSWatcher | null = null;
  #timer: NodeJS.Timeout | null = null;
  #lastHash: string | null = null;
  /** Serialises reloads: a change during a reload runs after it, never concurrently. */
  #chain: Promise<unknown> = Promise.resolve();
  /** The reload queued behind the running one, which later callers join. */
  #waiting: Promise<ReloadOutcome> | null = null;
  #running = false;

  constructor(options: ReloaderOptions) {
    this.#options = options;
    this.#file = resolve(options.file);
  }

  /** Remember the content the gateway started with, so a touch without changes is not a reload. */
  async prime(): Promise<void> {
    this.#lastHash = await this.#hash();
  }

  start(): void {
    // Any event in the directory leads to a (debounced) content check: Kubernetes
    // ConfigMaps swap a "..data" symlink, editors rename temp files; the content
    // hash decides whether anything changed.
    // Watch the directory (editors save by renaming over the file) but react only
    // to our file, to Kubernetes ConfigMap symlink swaps (..data), or when the
    // platform cannot say which file changed: a log growing beside routes.yaml
    // must not re-read it every debounce period.
    const name = basename(this.#file);
    this.#watcher = watch(dirname(this.#file), { persistent: false }, (_event, changed) => {
      if (changed === null || changed === name || String(changed).startsWith('..data')) this.#schedule();
    });
    this.#watcher.on('error', (error) => this.#options.logger.warn({ err: error }, 'routes file watcher failed'));
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * Reload now (SIGHUP, or the debounced watcher). force: even when the content did
   * not change. A burst is one reload (issue 14): a call while another waits to run
   * joins it, and a call while one runs queues one more that applies only what
   * changed since (a SIGHUP storm reaches the workers once, not once per signal).
   */
  reload(reason: string, force = true): Promise<ReloadOutcome> {
    if (this.#waiting) return this.#waiting;
    const duringAnother = this.#running;
    const next = this.#chain.then(async () => {
      this.#waiting = null;
      this.#running = true;
      try {
        return await this.#reload(reason, force && !duringAnother);
      } finally {
        this.#running = false;
      }
    });
    this.#waiting = next;
    this.#chain = next.catch(() => {});
    return next;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.reload('file changed', false);
    }, this.#options.debounceMs);
  }

  async #reload(reason: string, force: boolean): Promise<ReloadOutcome> {
    const { logger } = this.#options;
    const hash = await this.#hash();
    // Mid-rename the file may be briefly missing; the next event brings it back.
    if (hash === null && !force) return { status: 'unchanged' };
    if (!force && hash === this.#lastHash) return { status: 'unchanged' };
    const result = await loadConfigFile(this.#file, this.#options.env);
    if (!result.ok) {
      const text = formatProblems(result.problems);
      logger.error({ reason, problems: result.problems.length, errors: text }, 'routes file refused; keeping the running config');
      this.#lastHash = hash;
      this.#options.onReloaded(text, null, result.problems.map(locateProblem));
      return { status: 'refused', problems: result.problems, text };
    }
    try {
      await this.#options.apply(result.config);
    } catch (error) {
      if (error instanceof PartialReloadError) {
        // Not "keeping the running config": part of the new one is already live.
        const text = `${this.#file}: applied only in part: ${error.message}`;
        this.#lastHash = hash;
        logger.error({ err: error.cause, reason, failed: error.failed, committed: error.committed }, 'routes file applied only in part');
        this.#options.onReloaded(text, null, [`${basename(this.#file)}: applied only in part`]);
        return { status: 'refused', problems: [], text };
      }
      const text = `${this.#file}: could not apply: ${(error as Error).message}`;
      logger.error({ err: error, reason }, 'routes file could not be applied; keeping the running config');
      this.#options.onReloaded(text, null, [`${basename(this.#file)}: could not be applied`]);
      return { status: 'refused', problems: [], text };
    }
    this.#lastHash = hash;
    logger.info({ reason, routes: result.config.routes.length, upstreams: result.config.upstreams.size }, 'routes reloaded');
    this.#options.onReloaded(null, result.config);
    return { status: 'applied', config: result.config };
  }

  async #hash(): Promise<string | null> {
    try {
      return createHash('sha256').update(await readFile(this.#file)).digest('hex');
    } catch {
      return null;
    }
  }
}
