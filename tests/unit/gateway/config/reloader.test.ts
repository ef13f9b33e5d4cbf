// ConfigReloader's coalescing (issue 14, "a burst of SIGHUPs: one reload, not many"):
// with the watcher off, only reload() calls reload.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigReloader } from '../../../../gateway/config/reloader.ts';
import { createGatewayLogger } from '../../../../gateway/logging/logger.ts';

const yaml = (prefix: string) => `upstreams:\n  stub: { url: "http://127.0.0.1:9" }\nroutes:\n  - { prefix: ${prefix}, upstream: stub, auth: public }\n`;

describe('ConfigReloader bursts', () => {
  let dir: string;
  let file: string;
  let applied: string[];
  let gate: { wait: Promise<void>; open: () => void } | null;
  let reloader: ConfigReloader;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reloader-'));
    file = join(dir, 'routes.yaml');
    await writeFile(file, yaml('/a'));
    applied = [];
    gate = null;
    reloader = new ConfigReloader({
      file,
      debounceMs: 10,
      logger: createGatewayLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) }),
      apply: async (config) => {
        applied.push(config.routes[0]!.prefix);
        await gate?.wait;
      },
      onReloaded: () => {},
    });
    await reloader.prime();
  });
  afterEach(async () => {
    reloader.close();
    await rm(dir, { recursive: true, force: true });
  });

  const holdApply = () => {
    let open!: () => void;
    gate = { wait: new Promise<void>((resolve) => (open = resolve)), open };
    return gate;
  };

  it('applies a burst of reload calls made together once', async () => {
    await writeFile(file, yaml('/b'));
    const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => reloader.reload('SIGHUP')));
    expect(applied).toEqual(['/b']);
    expect(new Set(outcomes).size).toBe(1);
  });

  it('queues one more reload for calls made while one runs, which applies only a change', async () => {
    const held = holdApply();
    const first = reloader.reload('SIGHUP');
    await expect.poll(() => applied.length).toBe(1);
    const more = [reloader.reload('SIGHUP'), reloader.reload('SIGHUP'), reloader.reload('SIGHUP')];
    held.open();
    await first;
    const outcomes = await Promise.all(more);
    // The file did not change after the running reload read it: nothing more to apply.
    expect(applied).toEqual(['/a']);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
  });

  it('applies the file changed during a running reload once, after it', async () => {
    const held = holdApply();
    const first = reloader.reload('SIGHUP');
    await expect.poll(() => applied.length).toBe(1);
    await writeFile(file, yaml('/c'));
    const more = [reloader.reload('SIGHUP'), reloader.reload('SIGHUP')];
    held.open();
    await first;
    await Promise.all(more);
    expect(applied).toEqual(['/a', '/c']);
  });
});
