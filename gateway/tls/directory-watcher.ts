// fs.watch on a changing set of directories with one debounced callback. The
// certificate store re-syncs the set after each scan (a new <domain>/ directory
// gets its own watch: fs.watch is not recursive everywhere). Events only start a
// scan; the scan compares file contents, so spurious events cost a few reads.
import { watch, type FSWatcher } from 'node:fs';
import type { WatchTarget } from './pair-sources.ts';

export interface DirectoryWatcherOptions {
  debounceMs: number;
  onChange: () => void;
  onError: (dir: string, error: Error) => void;
}

export class DirectoryWatcher {
  #options: DirectoryWatcherOptions;
  #watchers = new Map<string, FSWatcher>();
  #names = new Map<string, ReadonlySet<string> | null>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: DirectoryWatcherOptions) {
    this.#options = options;
  }

  /** Watch exactly these directories from now on. */
  sync(targets: readonly WatchTarget[]): void {
    if (this.#closed) return;
    const wanted = new Map(targets.map((target) => [target.dir, target.names]));
    for (const [dir, watcher] of this.#watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.#watchers.delete(dir);
      }
    }
    this.#names = wanted;
    for (const dir of wanted.keys()) if (!this.#watchers.has(dir)) this.#add(dir);
  }

  close(): void {
    this.#closed = true;
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #add(dir: string): void {
    let watcher: FSWatcher;
    try {
      // persistent: false, so certificates being watched never keep a stopping process alive.
      watcher = watch(dir, { persistent: false }, (_event, changed) => {
        const names = this.#names.get(dir);
        // null `changed`: the platform could not say which file; look anyway.
        if (names == null || changed === null || names.has(String(changed)) || String(changed).startsWith('..')) this.#schedule();
      });
    } catch (error) {
      // Gone between the scan and now: the next scan reports it.
      this.#options.onError(dir, error as Error);
      this.#schedule();
      return;
    }
    watcher.on('error', (error) => {
      // A watched directory removed: drop the watch; the scan says what is missing.
      watcher.close();
      this.#watchers.delete(dir);
      this.#options.onError(dir, error);
      this.#schedule();
    });
    this.#watchers.set(dir, watcher);
  }

  #schedule(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#options.onChange();
    }, this.#options.debounceMs);
  }
}
