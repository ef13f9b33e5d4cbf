import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCheck } from '../../../../gateway/cli/check.ts';

describe('check', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'check-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says ok and returns 0 for the repository routes.yaml', async () => {
    const out: string[] = [];
    expect(await runCheck('routes.yaml', (line) => out.push(line))).toBe(0);
    expect(out[0]).toMatch(/^ok: .*routes\.yaml: 3 upstreams, \d+ services, 3 routes$/);
  });

  it('prints every problem as file:line:col: path: message and returns 1', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'upstreams:\n  api: { url: http://127.0.0.1:1 }\nroutes:\n  - prefix: /a\n    upstream: nope\n    auth: root\n');
    const out: string[] = [];
    expect(await runCheck(file, (line) => out.push(line))).toBe(1);
    expect(out.join("\n").split("\n")).toEqual([
      `${file}:5:15: routes[0].upstream: unknown upstream "nope" (expected one of: api)`,
      `${file}:6:11: routes[0].auth: must be one of: "public", "user", "admin"`,
      '2 problems found',
    ]);
  });

  it('refuses rate limits of zero or negative numbers with their lines', async () => {
    const file = join(dir, 'limits.yaml');
    await writeFile(
      file,
      'upstreams:\n  api: { url: http://127.0.0.1:1 }\nroutes:\n  - prefix: /a\n    upstream: api\n    rate_limit:\n      requests: 0\n      per: 1m\n      burst: -3\n',
    );
    const out: string[] = [];
    expect(await runCheck(file, (line) => out.push(line))).toBe(1);
    expect(out.join('\n').split('\n')).toEqual([
      `${file}:7:17: routes[0].rate_limit.requests: must be >= 1, got 0`,
      `${file}:9:14: routes[0].rate_limit.burst: must be >= 1, got -3`,
      '2 problems found',
    ]);
  });

  it('works as `npm run check -- file` with exit status 1', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'routes: []\n');
    const result = spawnSync(process.execPath, ['gateway/cli/check.ts', file], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`${file}:1:1: (root): missing required key "upstreams"`);
  });
});
