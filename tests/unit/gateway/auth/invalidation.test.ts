import { describe, expect, it } from 'vitest';
import { formatInvalidations, parseInvalidations } from '../../../../gateway/auth/invalidation.ts';

describe('parseInvalidations', () => {
  it.each<[string | string[] | undefined, Array<{ kind: string; id: number }>]>([
    ['api_key=12', [{ kind: 'api_key', id: 12 }]],
    ['user=5, api_key=12', [{ kind: 'user', id: 5 }, { kind: 'api_key', id: 12 }]],
    [['user=5', 'api_key=7'], [{ kind: 'user', id: 5 }, { kind: 'api_key', id: 7 }]],
    [undefined, []],
    ['', []],
    // Hostile or malformed items are skipped, never thrown on.
    ['user=0, user=-1, user=abc, admin=1, user=99999999999, user=1e3, user= 4', []],
    ['user=5;drop table, api_key=3', [{ kind: 'api_key', id: 3 }]],
  ])('%j → %j', (value, expected) => {
    expect(parseInvalidations(value)).toEqual(expected);
  });

  it('reads at most 32 items from one header', () => {
    const many = Array.from({ length: 100 }, (_, i) => `user=${i + 1}`).join(',');
    expect(parseInvalidations(many)).toHaveLength(32);
  });

  it('round-trips with formatInvalidations', () => {
    const items = [{ kind: 'user' as const, id: 5 }, { kind: 'api_key' as const, id: 12 }];
    expect(parseInvalidations(formatInvalidations(items))).toEqual(items);
  });
});
