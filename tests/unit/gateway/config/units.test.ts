import { describe, expect, it } from 'vitest';
import { parseDuration, parseSize } from '../../../../gateway/config/units.ts';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    [' 2s ', 2000],
    [250, 250],
    ['250', 250],
  ])('reads %j as %d ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([['10 parsecs'], ['-1s'], [''], ['s'], [-5], [Number.NaN], [null], [true]])('refuses %j', (input) => {
    expect(parseDuration(input)).toBeNull();
  });
});

describe('parseSize', () => {
  it.each([
    ['64kb', 65_536],
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['16m', 16_777_216],
    ['100', 100],
    [2048, 2048],
    ['1gb', 1024 ** 3],
  ])('reads %j as %d bytes', (input, expected) => {
    expect(parseSize(input)).toBe(expected);
  });

  it.each([['12 zb'], ['-1kb'], [1.5], [''], [{}]])('refuses %j', (input) => {
    expect(parseSize(input)).toBeNull();
  });
});
