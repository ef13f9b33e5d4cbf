// The benchmark's round order: rows alternate direction each round, so a slow
// spell of the machine does not keep falling on the same neighbouring rows.
import { describe, expect, it } from 'vitest';
import { cycleOverheadMs, roundOrder, thinkForRate } from '../../../bench/gateway/measure.ts';

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

describe('the paced runs\' think time', () => {
  // 300 connections at 6 000 req/s: each must cycle every 50 ms.
  const connections = 300;
  const cycleMs = 50;

  it('reads a run\'s overhead from the rate it achieved', () => {
    expect(cycleOverheadMs(connections, 6000, 47)).toBeCloseTo(3, 6);
    expect(cycleOverheadMs(connections, 0, 47)).toBeNaN();
  });

  it('leaves the measured overhead out of the think time, so the next run hits the rate', () => {
    const think = thinkForRate(cycleMs, [3]);
    expect(think).toBe(47);
    expect((connections * 1000) / (think + 3)).toBe(6000);
  });

  it('corrects a row the pilots misjudged: a run 17 % fast gives the think time that holds the rate', () => {
    // Pilots saw a 10 ms overhead (capped), so think was 40 ms; the window then ran at 7 020 req/s.
    const overhead = cycleOverheadMs(connections, 7020, 40);
    expect(thinkForRate(cycleMs, [overhead])).toBeCloseTo(cycleMs - overhead, 6);
    expect((connections * 1000) / (thinkForRate(cycleMs, [overhead]) + overhead)).toBeCloseTo(6000, 6);
  });

  it('takes the median of the runs so far, so one stalled window cannot swing it, and ignores runs without answers', () => {
    expect(thinkForRate(cycleMs, [2, 2.5, 30, Number.NaN])).toBe(47.5);
  });

  it('never thinks longer than the cycle, nor shortens it by more than a fifth', () => {
    expect(thinkForRate(cycleMs, [-4])).toBe(cycleMs);
    expect(thinkForRate(cycleMs, [25])).toBe(40);
    expect(thinkForRate(cycleMs, [])).toBe(cycleMs);
  });
});
