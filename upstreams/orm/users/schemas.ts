// Request schemas for users: fullon's field names (mail, password, name,
// lastname, role...), bounded lengths, and passwords bcrypt can hash whole.
import { z } from 'zod';
import { bodySchema, caseInsensitiveEnum } from '../../common/validate.ts';
import { MAX_NOTE, optionalText } from '../db/params.ts';
import { BCRYPT_MAX_BYTES } from './passwords.ts';

// Fullon mails include local ones like admin@fullon, so no TLD is required.
export const mailSchema = z.string().trim().toLowerCase().max(254).regex(/^[^\s@]+@[^\s@]+$/, 'not a valid mail address');

export const passwordSchema = z
  .string()
  .min(8, 'password must have at least 8 characters')
  .refine((value) => Buffer.byteLength(value) <= BCRYPT_MAX_BYTES, `password must be at most ${BCRYPT_MAX_BYTES} bytes`);

const profileFields = {
  name: optionalText(),
  lastname: optionalText(),
  phone: optionalText(64),
  id_num: optionalText(64),
  note: optionalText(MAX_NOTE),
};

export const createUserSchema = bodySchema({
  mail: mailSchema,
  password: passwordSchema,
  role: caseInsensitiveEnum(['admin', 'user']).default('user'),
  active: z.boolean().default(true),
  manager: z.number().int().positive().nullable().optional(),
  ...profileFields,
});

/** What a user may change on their own account. */
export const selfPatchSchema = bodySchema(profileFields);

/** What an admin may change on any account. */
export const adminPatchSchema = bodySchema({
  ...profileFields,
  mail: mailSchema.optional(),
  password: passwordSchema.optional(),
  role: caseInsensitiveEnum(['admin', 'user']).optional(),
  active: z.boolean().optional(),
  manager: z.number().int().positive().nullable().optional(),
});

export const listUsersQuerySchema = z.object({
  mail: z.string().max(254).optional(),
  role: caseInsensitiveEnum(['admin', 'user']).optional(),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  q: z.string().max(100).optional(),
});
