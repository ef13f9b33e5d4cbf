// Request schemas for orders, with fullon's field names: `volume`, never
// `amount`; statuses as fullon's bots write them.
import { z } from 'zod';
import { bodySchema, caseInsensitiveEnum } from '../../common/validate.ts';
import { idSchema, optionalText, text } from '../db/params.ts';

export const ORDER_STATUSES = ['New', 'Open', 'PartiallyFilled', 'Filled', 'Cancelled', 'Canceled', 'Rejected', 'Expired', 'Error'] as const;
/** Statuses that count as "open" for /orders/open and the dashboard. */
export const OPEN_STATUSES = ['New', 'Open', 'PartiallyFilled'] as const;

export const sideSchema = caseInsensitiveEnum(['buy', 'sell']);
export const orderTypeSchema = caseInsensitiveEnum(['market', 'limit', 'stop', 'stop_limit', 'take_profit', 'trailing_stop']);
export const orderStatusSchema = caseInsensitiveEnum(ORDER_STATUSES);
const price = () => z.number().finite().min(0).max(1e15);

export const createOrderSchema = bodySchema({
  bot_id: idSchema,
  ex_id: idSchema.optional(),
  cat_ex_id: idSchema.optional(),
  symbol: text(64),
  side: sideSchema,
  volume: z.number().finite().gt(0).max(1e15),
  order_type: orderTypeSchema,
  price: price().nullable().optional(),
  plimit: price().nullable().optional(),
  tick: price().nullable().optional(),
  futures: z.boolean().default(false),
  leverage: z.number().finite().min(0).max(1000).nullable().optional(),
  status: orderStatusSchema.default('New'),
  command: optionalText(255),
  reason: optionalText(1024),
  ex_order_id: optionalText(128),
});

export const statusPatchSchema = bodySchema({
  status: orderStatusSchema,
  final_volume: z.number().finite().min(0).max(1e15).nullable().optional(),
  reason: optionalText(1024),
  ex_order_id: optionalText(128),
});

export const listOrdersQuerySchema = z.object({
  bot_id: idSchema.optional(),
  uid: idSchema.optional(),
  status: orderStatusSchema.optional(),
  symbol: z.string().max(64).optional(),
  side: sideSchema.optional(),
});
