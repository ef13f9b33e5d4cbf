import { describe, expect, it } from 'vitest';
import { SqlFilter, escapeLike } from '../../../../../upstreams/orm/db/sql-filter.ts';
import { buildSet } from '../../../../../upstreams/orm/db/sql-update.ts';

describe('SqlFilter', () => {
  it('numbers placeholders, binds values as parameters and skips undefined ones', () => {
    const { where, params } = new SqlFilter()
      .add('uid = ?', 7)
      .addIf('name = ?', undefined)
      .add('(a ILIKE ? OR b ILIKE ?)', "%x' OR 1=1%")
      .build();
    expect(where).toBe('WHERE uid = $1 AND (a ILIKE $2 OR b ILIKE $2)');
    expect(params).toEqual([7, "%x' OR 1=1%"]);
  });

  it('builds an empty clause when there are no conditions', () => {
    expect(new SqlFilter().build()).toEqual({ where: '', params: [] });
  });

  it.each([['50%', '50\\%'], ['a_b', 'a\\_b'], ['back\\slash', 'back\\\\slash']])('escapeLike(%s) → %s', (input, output) => {
    expect(escapeLike(input)).toBe(output);
  });
});

describe('buildSet', () => {
  it('builds SET pairs from defined values only, quoting the reserved word order', () => {
    expect(buildSet({ name: 'x', active: undefined, order: 2 }, 2)).toEqual({ sets: ['name = $2', '"order" = $3'], params: ['x', 2] });
  });

  it('refuses a column name that is not an identifier', () => {
    expect(() => buildSet({ 'name; DROP TABLE x': 1 }, 1)).toThrow(/bad column/);
  });
});
