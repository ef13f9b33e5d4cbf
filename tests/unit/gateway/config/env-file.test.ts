// The .env file: read when present, the environment wins, ENV_FILE="" reads none.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvFileError, loadEnvFile } from '../../../../gateway/config/env-file.ts';

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadEnvFile', () => {
  it('reads .env from the working directory, and variables already set win (even empty ones)', () => {
    const dir = dirWith({ '.env': 'PORT=9000\nLOG_LEVEL=debug\nADMIN_MAIL=file@x\n# comment\nJWT_SECRET_KEY="quoted value"\n' });
    const env: NodeJS.ProcessEnv = { PORT: '8001', LOG_LEVEL: '' };
    expect(loadEnvFile(env, dir)).toBe(join(dir, '.env'));
    expect(env).toEqual({ PORT: '8001', LOG_LEVEL: '', ADMIN_MAIL: 'file@x', JWT_SECRET_KEY: 'quoted value' });
  });

  it('reads nothing when there is no .env', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(loadEnvFile(env, dirWith({}))).toBeNull();
    expect(env).toEqual({});
  });

  it('reads nothing with ENV_FILE set to an empty string (what the test suite does)', () => {
    const env: NodeJS.ProcessEnv = { ENV_FILE: '' };
    expect(loadEnvFile(env, dirWith({ '.env': 'DATABASE_URL=postgres://developer/db\n' }))).toBeNull();
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('reads the file ENV_FILE names, and refuses a named file that does not exist', () => {
    const dir = dirWith({ 'prod.env': 'PORT=7000\n' });
    const env: NodeJS.ProcessEnv = { ENV_FILE: 'prod.env' };
    loadEnvFile(env, dir);
    expect(env.PORT).toBe('7000');
    expect(() => loadEnvFile({ ENV_FILE: 'missing.env' }, dir)).toThrow(EnvFileError);
  });

  it("is off for the test run itself: no developer's .env or ./data reaches a test (tests/helpers/global-setup.ts)", () => {
    expect(process.env.ENV_FILE).toBe('');
    expect(process.env.DATA_DIR).toMatch(/fullon-test-/);
    expect(loadEnvFile()).toBeNull();
  });
});
