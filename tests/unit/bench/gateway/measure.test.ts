// The benchmark's round order: rows alternate direction each round, so a slow
// spell of the machine does not keep falling on the same neighbouring rows.
import { describe, expect, it } from 'vitest';
import { roundOrder } from '../../../bench/gateway/measure.ts';

describe('roundOrder', () => {
  it('runs the rows as listed in odd rounds and reversed in even ones, leaving the list as it was', () => {
    const rows = ['direct', 'bare', 'gateway', 'gateway+JWT'];
    expect(roundOrder(rows, 1)).toEqual(['direct', 'bare', 'gateway', 'gateway+JWT']);
    expect(roundOrder(rows, 2)).toEqual(['gateway+JWT', 'gateway', 'bare', 'direct']);
    expect(roundOrder(rows, 3)).toEqual(rows);
    expect(rows).toEqual(['direct', 'bare', 'gateway', 'gateway+JWT']);
  });

  it('puts each row as far from the start in one round as from the end in the next', () => {
    const rows = ['a', 'b', 'c'];
    const firstTwo = [...roundOrder(rows, 1), ...roundOrder(rows, 2)];
    // Each row runs once in the first half and once in the second.
    for (const row of rows) expect(firstTwo.indexOf(row) + firstTwo.lastIndexOf(row)).toBe(rows.length * 2 - 1);
  });
});
