// The supervisor and the health monitor must not import each other, so that a later
// primary/worker split can place them in different processes (issue 14 item 0). The
// health probe they share lives in gateway/probe/, which imports neither.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const gatewayDir = join(import.meta.dirname, '../../../../gateway');

function importsOf(folder: string): string[] {
  const dir = join(gatewayDir, folder);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) => [...readFileSync(join(dir, name), 'utf8').matchAll(/from '([^']+)'/g)].map((match) => `${name}: ${match[1]}`));
}

describe('gateway import graph', () => {
  it('the supervisor imports nothing from gateway/health', () => {
    expect(importsOf('supervisor').filter((line) => line.includes('../health/'))).toEqual([]);
  });

  it('the shared probe imports neither the supervisor nor the health monitor', () => {
    expect(importsOf('probe').filter((line) => /\.\.\/(health|supervisor)\//.test(line))).toEqual([]);
  });
});
