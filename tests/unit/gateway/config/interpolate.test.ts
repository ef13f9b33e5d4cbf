import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../../gateway/config/interpolate.ts';

const env = { SET: 'value', EMPTY: '' };

describe('interpolate', () => {
  it.each([
    ['plain text', 'plain text'],
    ['${SET}', 'value'],
    ['a-${SET}-b', 'a-value-b'],
    ['${UNSET:-fallback}', 'fallback'],
    ['${UNSET:-}', ''],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${EMPTY}', ''],
    ['${SET:-fallback}', 'value'],
    ['$${SET}', '${SET}'],
    ['http://${UNSET:-127.0.0.1}:${UNSET2:-9000}', 'http://127.0.0.1:9000'],
  ])('%s → %j', (input, expected) => {
    expect(interpolate(input, env)).toEqual({ value: expected, missing: [] });
  });

  it('reports an unset variable without a default', () => {
    expect(interpolate('x ${NOPE} ${NOPE2:-ok}', env)).toEqual({ value: 'x  ok', missing: ['NOPE'] });
  });
});
