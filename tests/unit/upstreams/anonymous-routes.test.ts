// Which upstream routes answer the gateway's anonymous assertion (`auth: public`
// routes): public market data reads only, GET only, nothing of the orm. A new
// `anonymous: true` anywhere must be added here on purpose.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../../upstreams');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('anonymous-friendly upstream routes', () => {
  it('are exactly the public market data GET reads', () => {
    const marked: string[] = [];
    let markers = 0;
    for (const file of sources(ROOT)) {
      if (file.includes('/common/')) continue;
      const text = readFileSync(file, 'utf8');
      markers += text.match(/\banonymous\s*:/g)?.length ?? 0;
      const upstream = file.slice(ROOT.length + 1).split('/')[0];
      for (const match of text.matchAll(/app\.(\w+)\('([^']+)', describeRoute\(\{\s*anonymous: true,/g)) marked.push(`${upstream} ${match[1]!.toUpperCase()} ${match[2]}`);
    }
    expect(marked.sort()).toEqual([
      'cache GET /tickers/:exchange',
      'cache GET /tickers/:exchange/*',
      'ohlcv GET /:exchange/*',
      'ohlcv GET /candles/:exchange/*',
      'ohlcv GET /exchanges',
      'ohlcv GET /exchanges/:exchange/symbols',
      'ohlcv GET /timeframes',
      'ohlcv GET /timeseries/:exchange/*',
      'ohlcv GET /trades/:exchange/*',
    ]);
    // No marker spelled another way (a route config written by hand) escapes the list.
    expect(markers).toBe(marked.length);
  });
});
