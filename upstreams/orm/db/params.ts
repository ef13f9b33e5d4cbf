// Shared zod pieces for path ids, bounded strings and optional query filters, so
// every route refuses wrongly typed or oversized input with the same 422.
import { z } from 'zod';

export const MAX_TEXT = 255;
export const MAX_NOTE = 4096;

export const idSchema = z.coerce.number().int().min(1).max(2_147_483_647);
export const text = (max = MAX_TEXT) => z.string().trim().min(1).max(max);
export const optionalText = (max = MAX_TEXT) => z.string().max(max).nullable().optional();
/** A finite number; rejects strings like "1e999" that overflow and NaN. */
export const finite = () => z.number().finite();
/** Query booleans arrive as strings. */
export const queryBool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export function idParam<K extends string>(name: K) {
  return z.object({ [name]: idSchema } as Record<K, typeof idSchema>);
}
