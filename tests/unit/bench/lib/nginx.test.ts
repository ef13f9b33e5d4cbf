import { describe, expect, it } from 'vitest';
import { renderNginxConf } from '../../../bench/lib/nginx.ts';

describe('renderNginxConf', () => {
  const conf = renderNginxConf({
    upstreamHostPort: '127.0.0.1:4000',
    locations: [{ path: '/bench/', upstreamPath: '/' }],
    prefix: '/tmp/p',
    port: 5000,
  });

  it.each([
    ['one worker, like the one-process Node proxies', 'worker_processes 1;'],
    ['foreground, as our child process', 'daemon off;'],
    ['upstream keep-alive', 'keepalive 128;'],
    ['HTTP/1.1 to the upstream', 'proxy_http_version 1.1;'],
    ['no Connection: close to the upstream', 'proxy_set_header Connection "";'],
    ['prefix stripped by the trailing slash', 'proxy_pass http://bench_upstream/;'],
    ['64 KiB bodies kept in memory', 'client_body_buffer_size 128k;'],
    ['listening on the given loopback port', 'listen 127.0.0.1:5000;'],
    ['pid under the temp prefix', 'pid /tmp/p/nginx.pid;'],
  ])('has %s', (_what, line) => {
    expect(conf).toContain(line);
  });

  it('writes nothing outside the temp prefix', () => {
    const paths = [...conf.matchAll(/\s(\/[^\s;]+)/g)].map((m) => m[1]!).filter((p) => !p.startsWith('/bench'));
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path.startsWith('/tmp/p/')).toBe(true);
  });
});
