// The shared pydantic-style reading: unknown fields dropped, enums matched
// case-insensitively, comma lists strict, and FastAPI's 422 shape.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpError } from '../../../../upstreams/common/errors.ts';
import { bodySchema, caseInsensitiveEnum, commaList, parseOr422, refuseFields } from '../../../../upstreams/common/validate.ts';

function detailOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(422);
    return (error as HttpError).detail;
  }
  throw new Error('expected a 422');
}

describe('parseOr422', () => {
  it('drops unknown body fields instead of refusing them', () => {
    expect(parseOr422(bodySchema({ name: z.string() }), { name: 'a', extra: 1 }, 'body')).toEqual({ name: 'a' });
  });

  it("reports a missing field in pydantic's words and FastAPI's shape", () => {
    expect(detailOf(() => parseOr422(bodySchema({ name: z.string() }), {}, 'body'))).toEqual([{ loc: ['body', 'name'], msg: 'Field required', type: 'missing' }]);
  });

  it('puts array indexes in loc as numbers', () => {
    const detail = detailOf(() => parseOr422(bodySchema({ ids: z.array(z.number()) }), { ids: [1, 'x'] }, 'body')) as Array<{ loc: unknown[] }>;
    expect(detail[0]!.loc).toEqual(['body', 'ids', 1]);
  });
});

describe('caseInsensitiveEnum', () => {
  const status = caseInsensitiveEnum(['New', 'Filled', 'Cancelled']);
  it.each([['filled', 'Filled'], ['FILLED', 'Filled'], [' new ', 'New'], ['Cancelled', 'Cancelled']])('reads %j as %j', (input, expected) => {
    expect(status.parse(input)).toBe(expected);
  });
  it('refuses an unknown value with the allowed ones in the message', () => {
    const detail = detailOf(() => parseOr422(status, 'exploded', 'body')) as Array<{ msg: string }>;
    expect(detail[0]!.msg).toContain('New, Filled, Cancelled');
  });
});

describe('commaList', () => {
  const scopes = commaList(z.enum(['read', 'write']), { max: 2 });
  it.each([
    ['read,write', ['read', 'write']],
    [['write', 'read'], ['write', 'read']],
    ['read,read', ['read']],
    ['', []],
  ] as const)('reads %j', (input, expected) => {
    expect(scopes.parse(input)).toEqual(expected);
  });
  it.each([['read, write'], ['read,,write'], [',read'], ['read,admin'], [['read', 'admin']], [42]])('refuses %j with a 422', (input) => {
    expect(detailOf(() => parseOr422(scopes, input, 'body'))).toEqual([expect.objectContaining({ loc: expect.arrayContaining(['body']) })]);
  });
});

describe('refuseFields', () => {
  it('names each refused field that is present', () => {
    expect(detailOf(() => refuseFields({ uid: 2, bot_id: 3, roi: 1 }, ['uid', 'bot_id', 'trade_id']))).toEqual([
      { loc: ['body', 'uid'], msg: 'uid cannot be changed here', type: 'value_error' },
      { loc: ['body', 'bot_id'], msg: 'bot_id cannot be changed here', type: 'value_error' },
    ]);
  });
  it('lets other bodies through', () => {
    expect(() => refuseFields({ roi: 1 }, ['uid'])).not.toThrow();
    expect(() => refuseFields(null, ['uid'])).not.toThrow();
  });
});
