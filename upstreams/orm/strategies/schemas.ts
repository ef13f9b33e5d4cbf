// Request schemas for bot strategies: fullon's strategy settings, its free-form
// params (name → scalar) and its feeds (symbol, period, compression, order).
import { z } from 'zod';
import { bodySchema, caseInsensitiveEnum } from '../../common/validate.ts';
import { idSchema } from '../db/params.ts';

const num = () => z.number().finite().min(-1e12).max(1e12).nullable().optional();

export const strategySettings = {
  take_profit: num(),
  stop_loss: num(),
  trailing_stop: num(),
  timeout: num(),
  leverage: z.number().finite().min(0).max(1000).optional(),
  size_pct: num(),
  size: num(),
  size_currency: z.string().trim().min(1).max(16).optional(),
  pre_load_bars: z.number().int().min(0).max(100_000).optional(),
  feeds: z.number().int().min(0).max(100).optional(),
  pairs: z.boolean().optional(),
  name: z.string().trim().min(1).max(100).nullable().optional(),
  active: z.boolean().optional(),
};

export const paramsSchema = z
  .record(z.string().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'param names are identifiers'), z.union([z.string().max(1024), z.number().finite(), z.boolean()]))
  .refine((params) => Object.keys(params).length <= 100, 'at most 100 params');

export const feedSchema = bodySchema({
  symbol_id: idSchema,
  period: caseInsensitiveEnum(['ticks', 'seconds', 'minutes', 'hours', 'days', 'weeks', 'months']).default('minutes'),
  compression: z.number().int().min(1).max(100_000).default(1),
  order: z.number().int().min(1).max(100).optional(),
});

/** fullon clients send `parameters` for params; params wins when both come. */
const withParameters = <T extends { params?: Record<string, string | number | boolean> | undefined; parameters?: Record<string, string | number | boolean> | undefined }>({ parameters, ...body }: T) => ({
  ...body,
  params: body.params ?? parameters,
});

export const createStrategySchema = bodySchema({
  bot_id: idSchema,
  cat_str_id: idSchema,
  ...strategySettings,
  params: paramsSchema.optional(),
  parameters: paramsSchema.optional(),
  feed_list: z.array(feedSchema).max(20).optional(),
}).transform(withParameters);

/** PUT: settings given replace the stored ones; params / feed_list, when given, replace the whole set. */
export const replaceStrategySchema = bodySchema({
  ...strategySettings,
  params: paramsSchema.optional(),
  parameters: paramsSchema.optional(),
  feed_list: z.array(feedSchema).max(20).optional(),
}).transform(withParameters);

export type FeedInput = z.output<typeof feedSchema>;
