// GET /timeframes: the supported frames and how their buckets are aligned.
import type { FastifyInstance } from 'fastify';
import { describeRoute } from '../../common/openapi.ts';
import { envelope } from '../http/envelope.ts';
import { BUCKET_ORIGIN, TIMEFRAMES, nominalSeconds } from './timeframes.ts';

export function registerTimeframeRoutes(app: FastifyInstance): void {
  app.get('/timeframes', describeRoute({ anonymous: true, tags: ['candles'], summary: 'Supported timeframes and bucket alignment' }), async () => envelope({
    timeframes: [...TIMEFRAMES],
    details: TIMEFRAMES.map((timeframe) => ({ timeframe, seconds: nominalSeconds(timeframe) })),
    alignment: { timezone: 'UTC', origin: BUCKET_ORIGIN, week_start: 'monday', month_start: 1 },
    count: TIMEFRAMES.length,
  }));
}
