import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../../../gateway/config/load.ts';
import { formatProblem } from '../../../../gateway/config/problems.ts';

const base = `upstreams:
  api:
    url: http://127.0.0.1:9001
routes:
  - prefix: /api
    upstream: api
`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}) {
  const result = parseConfigText(text, 'routes.yaml', env);
  expect(result.ok).toBe(false);
  return result.problems.map(formatProblem);
}

describe('parseConfigText', () => {
  it('fills every default of a minimal file', () => {
    const result = parseConfigText(base, 'routes.yaml', {});
    expect(result.ok).toBe(true);
    const route = result.config!.routes[0]!;
    expect(route).toEqual({ prefix: '/api', upstream: 'api', rewrite: null, auth: 'user', websocket: false, timeoutMs: 30_000, bodyLimitBytes: 1_048_576, forwardAuthorization: false, rateLimit: null });
    const upstream = result.config!.upstreams.get('api')!;
    expect(upstream.url).toBe('http://127.0.0.1:9001');
    expect(upstream.process).toBeNull();
    expect(upstream.timeouts).toEqual({ connectMs: 2000, requestMs: 30_000 });
    expect(upstream.health.path).toBe('/health');
  });

  it('reads the repository routes.yaml', async () => {
    const result = await loadConfigFile('routes.yaml', {});
    expect(result.problems).toEqual([]);
    expect(result.config!.routes.map((r) => r.prefix)).toEqual(['/api/v1/ohlcv', '/api/v1/cache', '/api/v1/orm']);
    expect(result.config!.upstreams.get('orm_api')!.process!.command).toEqual(['node', 'upstreams/orm/main.ts']);
    expect(result.config!.routes.find((r) => r.prefix === '/api/v1/ohlcv')!.bodyLimitBytes).toBe(16 * 1024 * 1024);
  });

  it('sorts routes longest prefix first and strips trailing slashes', () => {
    const result = parseConfigText(`${base}  - prefix: /api/v2/
    upstream: api
  - prefix: /
    upstream: api
`, 'r.yaml', {});
    expect(result.config!.routes.map((r) => r.prefix)).toEqual(['/api/v2', '/api', '/']);
  });

  it('interpolates ${VAR:-default} everywhere, with type coercion for booleans and numbers', () => {
    const text = `upstreams:
  api:
    url: \${API_URL:-http://127.0.0.1:9002}
routes:
  - prefix: /api
    upstream: api
    websocket: \${WS:-true}
    timeout: \${TIMEOUT}
`;
    const result = parseConfigText(text, 'r.yaml', { TIMEOUT: '750ms' });
    expect(result.ok).toBe(true);
    expect(result.config!.upstreams.get('api')!.url).toBe('http://127.0.0.1:9002');
    expect(result.config!.routes[0]!.websocket).toBe(true);
    expect(result.config!.routes[0]!.timeoutMs).toBe(750);
  });

  it('reports an unset variable without default at its line', () => {
    const text = base.replace('http://127.0.0.1:9001', '${NOT_SET_ANYWHERE}');
    expect(problemsOf(text)).toContain('routes.yaml:3:10: upstreams.api.url: environment variable NOT_SET_ANYWHERE is not set and has no default (use ${NOT_SET_ANYWHERE:-default})');
  });

  it.each([
    ['an unknown upstream', `${base}  - prefix: /b\n    upstream: nope\n`, 'routes.yaml:8:15: routes[1].upstream: unknown upstream "nope" (expected one of: api)'],
    ['a duplicate prefix', `${base}  - prefix: /api/\n    upstream: api\n`, 'routes.yaml:7:13: routes[1].prefix: duplicate prefix "/api" (also routes[0])'],
    ['a bad duration', base.replace('upstream: api\n', 'upstream: api\n    timeout: 5 parsecs\n'), 'routes.yaml:7:14: routes[0].timeout: expected "500ms", "10s", "5m", "1h" or a number of milliseconds, got "5 parsecs"'],
    ['a bad size', base.replace('upstream: api\n', 'upstream: api\n    body_limit: 12zb\n'), 'routes.yaml:7:17: routes[0].body_limit: expected "64kb", "1mb" or a number of bytes, got "12zb"'],
    ['an unknown key', base.replace('upstream: api\n', 'upstream: api\n    colour: red\n'), 'routes.yaml:7:5: routes[0].colour: unknown key "colour" (expected one of: prefix, upstream, rewrite, auth, websocket, timeout, body_limit, forward_authorization, rate_limit)'],
    ['a bad auth policy', base.replace('upstream: api\n', 'upstream: api\n    auth: root\n'), 'routes.yaml:7:11: routes[0].auth: must be one of: "public", "user", "admin"'],
    ['a process without command', base.replace('url: http://127.0.0.1:9001', 'process: { env: {} }'), 'routes.yaml:3:14: upstreams.api.process: missing required key "command"'],
    ['an empty command', base.replace('url: http://127.0.0.1:9001', 'process: { command: [] }'), 'routes.yaml:3:25: upstreams.api.process.command: must NOT have fewer than 1 items'],
    ['an upstream with neither url nor process', base.replace('url: http://127.0.0.1:9001', 'timeouts: { request: 1s }'), 'routes.yaml:3:5: upstreams.api: needs a url, a process, or both'],
    ['a non-http url', base.replace('http://127.0.0.1:9001', 'ftp://x'), 'routes.yaml:3:10: upstreams.api.url: not an http(s) URL: "ftp://x"'],
    ['a bad upstream name', base.replace('  api:\n', '  Api:\n'), 'routes.yaml:2:3: upstreams.Api: bad name "Api" (expected lowercase letters, digits, "-" or "_", starting with a letter)'],
    ['a prefix with a dot segment', base.replace('prefix: /api', 'prefix: /api/../x'), 'routes.yaml:5:13: routes[0].prefix: must be a plain path: no empty, "." or ".." segments, "%", "\\", "?" or "#"'],
    ['a missing prefix', `${base}  - upstream: api\n`, 'routes.yaml:7:5: routes[1]: missing required key "prefix"'],
    ['broken YAML', 'upstreams: [\n', 'routes.yaml:2:1: (yaml): Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['a duplicate key', base.replace('    url: http://127.0.0.1:9001\n', '    url: http://127.0.0.1:9001\n    url: http://127.0.0.1:9002\n'), 'routes.yaml:4:5: (yaml): Map keys must be unique'],
    ['a service named like an upstream', `${base}services:\n  api:\n    process: { command: [sleep, "1"] }\n`, 'routes.yaml:9:5: services.api: name "api" is already used by an upstream'],
  ])('reports %s with file:line:col', (_name, text, expected) => {
    expect(problemsOf(text)).toContain(expected);
  });

  it('reports every problem of a file at once, in line order', () => {
    const text = `upstreams:
  api:
    url: ftp://x
routes:
  - prefix: /a
    upstream: nope
  - prefix: /a
    upstream: api
    auth: root
`;
    const problems = problemsOf(text);
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => Number(p.split(':')[1]))).toEqual([3, 6, 7, 9]);
  });

  it('refuses a file that cannot be read with a positioned problem', async () => {
    const result = await loadConfigFile('/nonexistent/routes.yaml');
    expect(result.problems[0]).toMatchObject({ file: '/nonexistent/routes.yaml', line: 1, message: 'cannot read: ENOENT' });
  });

  it('publishes a schema whose keys match what the loader reads', async () => {
    const schema = JSON.parse(await readFile('gateway/config/routes.schema.json', 'utf8'));
    expect(Object.keys(schema.definitions.route.properties)).toEqual(['prefix', 'upstream', 'rewrite', 'auth', 'websocket', 'timeout', 'body_limit', 'forward_authorization', 'rate_limit']);
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'upstreams', 'services', 'routes']);
  });
});
