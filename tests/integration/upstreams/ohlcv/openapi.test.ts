// The ohlcv upstream describes its routes for the gateway's merged document:
// query parameters from the zod schemas that validate them, the older path
// forms marked deprecated, and a document that validates as OpenAPI 3.1.
import { Validator } from '@seriousme/openapi-schema-validator';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../upstreams/common/db.ts';
import { OPENAPI_PATH } from '../../../../upstreams/common/openapi.ts';
import { workerDatabaseUrl } from '../../../helpers/isolation.ts';
import { adminHeaders, buildApp } from './harness.ts';

describe('ohlcv OpenAPI document', () => {
  let db: Db;
  let app: FastifyInstance;
  beforeAll(async () => {
    db = await openDatabase({ url: await workerDatabaseUrl('ohlcv'), name: 'ohlcv' });
    app = (await buildApp(db)).app;
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('describes the read, ingest and alias routes and validates as OpenAPI 3.1', async () => {
    const response = await app.inject({ url: OPENAPI_PATH, headers: await adminHeaders() });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    const paths = Object.keys(doc.paths);
    const candles = paths.find((path) => path.startsWith('/candles/{exchange}/'))!;
    expect(doc.paths[candles].get).toMatchObject({ tags: ['candles'], summary: expect.any(String) });
    expect(doc.paths[candles].get.parameters).toEqual(expect.arrayContaining([
      expect.objectContaining({ in: 'query', name: 'limit' }),
      expect.objectContaining({ in: 'query', name: 'start_time' }),
      expect.objectContaining({ in: 'path', name: 'exchange', required: true }),
    ]));
    expect(doc.paths[candles].post).toMatchObject({ tags: ['ingest'] });
    const timeseries = paths.find((path) => path.startsWith('/timeseries/'))!;
    expect(doc.paths[timeseries].get.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'query', name: 'timeframe' })]));
    const legacy = paths.find((path) => path.startsWith('/{exchange}/'))!;
    expect(doc.paths[legacy].get).toMatchObject({ deprecated: true });
    expect(await new Validator().validate(doc)).toMatchObject({ valid: true });
  });
});
