import { describe, expect, it } from 'vitest';
import { renderScript } from '../../../bench/lib/wrk.ts';

describe('renderScript', () => {
  it('sets method, a 64 KiB body and its content type for POST', () => {
    const script = renderScript({ url: 'http://x/echo', method: 'POST', bodyBytes: 65536, connections: 1, durationS: 1 });
    expect(script).toContain('wrk.method = "POST"');
    expect(script).toContain('wrk.body = string.rep("x", 65536)');
    expect(script).toContain('wrk.headers["Content-Type"] = "application/octet-stream"');
  });

  it('quotes header values so a token cannot break out of the Lua string', () => {
    const script = renderScript({ url: 'http://x/', method: 'GET', headers: { Authorization: 'Bearer a"b' }, connections: 1, durationS: 1 });
    expect(script).toContain('wrk.headers["Authorization"] = "Bearer a\\"b"');
  });

  it('paces only when a think time is given, with its mean in the delay function', () => {
    expect(renderScript({ url: 'http://x/', method: 'GET', connections: 1, durationS: 1 })).not.toContain('function delay');
    const paced = renderScript({ url: 'http://x/', method: 'GET', connections: 1, durationS: 1, thinkMs: 12.5 });
    expect(paced).toMatch(/function delay\(\) return math\.floor\(12\.500 \* \(0\.5 \+ math\.random\(\)\) \+ math\.random\(\)\) end/);
  });

  it('with a warm-up, holds each connection\'s first request back that long, spread over one think time', () => {
    const paced = renderScript({ url: 'http://x/', method: 'GET', connections: 300, threads: 2, durationS: 4, thinkMs: 20, warmupS: 1 });
    expect(paced).toContain('if first < 150 then first = first + 1; return 1000 + math.floor(20.000 * math.random()) end');
    expect(paced).toContain('return math.floor(20.000 * (0.5 + math.random()) + math.random()) end');
    expect(renderScript({ url: 'http://x/', method: 'GET', connections: 1, durationS: 1, warmupS: 1 })).not.toContain('function delay');
  });

  it('prints one machine-readable result line from done()', () => {
    const script = renderScript({ url: 'http://x/', method: 'GET', connections: 1, durationS: 1 });
    expect(script).toContain("io.write(string.format('BENCH_JSON {\"requests\":%d");
    expect(script).toContain('latency:percentile(99)');
  });
});
