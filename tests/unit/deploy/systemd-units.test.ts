// deploy/*.service: the single-host systemd unit runs unprivileged, reloads with SIGHUP,
// gives the drain and the children time to stop, and keeps secrets in an
// EnvironmentFile, not in the unit. systemd itself is not run here (docs/deployment.md).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function parseUnit(text: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) { section = header[1]!; continue; }
    const [key, ...value] = line.split('=');
    const name = `${section}.${key}`;
    entries.set(name, [...(entries.get(name) ?? []), value.join('=')]);
  }
  return entries;
}

const units = readdirSync('deploy').filter((f) => f.endsWith('.service'));

describe.each(units)('deploy/%s', (file) => {
  const unit = parseUnit(readFileSync(`deploy/${file}`, 'utf8'));
  const one = (key: string) => unit.get(key)?.[0];

  it('runs as an unprivileged user with a hardened sandbox', () => {
    expect(one('Service.User')).toBeDefined();
    expect(one('Service.User')).not.toMatch(/^(root|0)$/);
    expect(one('Service.NoNewPrivileges')).toBe('true');
    expect(one('Service.ProtectSystem')).toBe('strict');
  });
  it('reloads routes.yaml with SIGHUP and stops with SIGTERM, giving the drain and the children time', () => {
    expect(one('Service.ExecReload')).toContain('-HUP $MAINPID');
    expect(one('Service.KillSignal')).toBe('SIGTERM');
    // SHUTDOWN_GRACE_MS (10 s by default) + the children's stop_grace (10 s in routes.yaml).
    expect(Number(one('Service.TimeoutStopSec'))).toBeGreaterThan(20);
    expect(one('Service.Restart')).toBe('on-failure');
  });
  it('keeps secrets out of the unit (EnvironmentFile)', () => {
    expect(one('Service.EnvironmentFile')).toMatch(/^-?\//);
    for (const line of unit.get('Service.Environment') ?? []) expect(line).not.toMatch(/SECRET|PASSWORD|PRIVATE_KEY|TOKEN/);
  });
});
