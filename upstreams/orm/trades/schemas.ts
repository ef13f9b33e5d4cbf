// Request schemas for trades: dry (simulated, fullon's dry_trades) and live
// (executed on an exchange, fullon's trades). `volume`, never `amount`.
import { z } from 'zod';
import { bodySchema, caseInsensitiveEnum } from '../../common/validate.ts';
import { idSchema, optionalText, text } from '../db/params.ts';
import { orderTypeSchema, sideSchema } from '../orders/schemas.ts';

const money = () => z.number().finite().min(-1e15).max(1e15);

const common = {
  bot_id: idSchema,
  ex_id: idSchema.optional(),
  symbol: text(64),
  side: sideSchema,
  volume: z.number().finite().gt(0).max(1e15),
  price: z.number().finite().min(0).max(1e15),
  order_type: orderTypeSchema.default('market'),
  fee: money().default(0),
  roi: money().nullable().optional(),
  roi_pct: money().nullable().optional(),
};

export const dryTradeSchema = bodySchema({
  ...common,
  reason: optionalText(1024),
  closingtrade: z.boolean().default(false),
});

export const liveTradeSchema = bodySchema({
  ...common,
  ex_trade_id: optionalText(128),
  ex_order_id: optionalText(128),
  leverage: z.number().finite().min(0).max(1000).nullable().optional(),
});

export const tradeKindSchema = caseInsensitiveEnum(['dry', 'live']);

/** PATCH /trades/{id}: what a correction may change. Ownership and ids are refused by name in the route. */
export const tradePatchSchema = bodySchema({
  symbol: text(64).optional(),
  side: sideSchema.optional(),
  order_type: orderTypeSchema.optional(),
  volume: z.number().finite().gt(0).max(1e15).optional(),
  price: z.number().finite().min(0).max(1e15).optional(),
  fee: money().optional(),
  roi: money().nullable().optional(),
  roi_pct: money().nullable().optional(),
  reason: optionalText(1024),
  closingtrade: z.boolean().optional(),
  ex_trade_id: optionalText(128),
  ex_order_id: optionalText(128),
  leverage: z.number().finite().min(0).max(1000).nullable().optional(),
});

/** Fields that would move a trade to another owner, bot or id: refused on PATCH. */
export const TRADE_IDENTITY_FIELDS = ['trade_id', 'uid', 'user_id', 'bot_id', 'ex_id', 'kind'] as const;
