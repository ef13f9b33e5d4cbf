// deploy/Dockerfile and deploy/compose.yaml pass the container lint (pinned bases,
// non-root, health checks, no plain secrets), and each rule of the lint fires on
// the mistake it names. Docker itself is not run here: docs/deployment.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isPinnedImage, lintCompose, lintDockerfile } from './container-lint.ts';

const dockerfile = readFileSync('deploy/Dockerfile', 'utf8');
const compose = parse(readFileSync('deploy/compose.yaml', 'utf8'));

describe('deploy/Dockerfile', () => {
  it('passes the lint', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });
  it('is multi-stage on Node 24 slim, every FROM pinned', () => {
    const froms = dockerfile.split('\n').filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const line of froms) expect(line).toMatch(/^FROM node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})? AS \w+$/);
  });
  it('pins the same Node release the tests run on (the `node` devDependency)', () => {
    const installed = JSON.parse(readFileSync('node_modules/node/package.json', 'utf8')).version as string;
    expect(dockerfile).toContain(`FROM node:${installed}-bookworm-slim`);
  });
  it('keeps the compilers out of the final stage', () => {
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).not.toMatch(/g\+\+|apt-get install/);
  });
});

describe('deploy/compose.yaml', () => {
  it('passes the lint', () => {
    expect(lintCompose(compose)).toEqual([]);
  });
  it('runs the gateway, Postgres and Redis, the collectors against EXCHANGE_URLS', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gateway', 'postgres', 'redis']);
    expect(compose.services.gateway.environment.EXCHANGE_URLS).toBe('${EXCHANGE_URLS:-}');
    expect(compose.services.gateway.environment.REDIS_URL).toBe('redis://redis:6379/0');
  });
  it('gives the gateway a stop grace longer than its drain', () => {
    const drainMs = Number(compose.services.gateway.environment.SHUTDOWN_GRACE_MS);
    expect(Number.parseInt(compose.services.gateway.stop_grace_period, 10) * 1000).toBeGreaterThan(drainMs);
  });
});

describe('the container lint catches each mistake', () => {
  const good = 'FROM node:24.21.0-bookworm-slim AS build\nFROM node:24.21.0-bookworm-slim\nUSER node\nHEALTHCHECK CMD true\n';
  it('floating tags', () => {
    for (const ref of ['node', 'node:24', 'node:24-slim', 'node:latest', 'node:lts-bookworm-slim', 'redis:7']) expect(isPinnedImage(ref), ref).toBe(false);
    for (const ref of ['node:24.21.0-bookworm-slim', `node@sha256:${'a'.repeat(64)}`, 'postgres:16.6-bookworm', 'redis:7.4.1']) expect(isPinnedImage(ref), ref).toBe(true);
    expect(lintDockerfile(good.replace('FROM node:24.21.0-bookworm-slim\n', 'FROM node:24-slim\n'))).toEqual(['FROM node:24-slim: not pinned to an exact version or digest']);
    expect(lintCompose({ services: { r: { image: 'redis:7', user: 'redis', healthcheck: { test: ['CMD', 'true'] } } } })).toEqual(['r: image redis:7 is not pinned to an exact version or digest']);
  });
  it('a root user', () => {
    expect(lintDockerfile(good.replace('USER node', 'USER root'))).toEqual(['the final stage runs as root (no USER, or USER root)']);
    expect(lintDockerfile(good.replace('USER node\n', ''))).toEqual(['the final stage runs as root (no USER, or USER root)']);
    // USER in an earlier stage does not carry over.
    expect(lintDockerfile('FROM node:24.21.0-bookworm-slim AS a\nUSER node\nFROM node:24.21.0-bookworm-slim\nHEALTHCHECK CMD true\n')).toContain('the final stage runs as root (no USER, or USER root)');
    expect(lintCompose({ services: { r: { image: 'redis:7.4.1', healthcheck: { test: ['CMD', 'true'] } } } })).toEqual(['r: runs as root (set user:)']);
  });
  it('missing health checks', () => {
    expect(lintDockerfile(good.replace('HEALTHCHECK CMD true\n', ''))).toEqual(['the final stage has no HEALTHCHECK']);
    expect(lintCompose({ services: { r: { image: 'redis:7.4.1', user: 'redis' } } })).toEqual(['r: no healthcheck']);
  });
  it('secrets in plain env', () => {
    expect(lintDockerfile(`${good}ENV JWT_SECRET_KEY=abc123 PORT=8000\n`)).toEqual(['ENV JWT_SECRET_KEY: a secret in the image']);
    const service = { image: 'redis:7.4.1', user: 'redis', healthcheck: { test: ['CMD', 'true'] } };
    expect(lintCompose({ services: { g: { ...service, environment: { JWT_SECRET_KEY: 'hunter2', ADMIN_PASSWORD: '${ADMIN_PASSWORD:-}', DATABASE_URL: 'postgres://u:pw@db/x' } } } })).toEqual([
      'g: JWT_SECRET_KEY holds a secret in plain text (use ${VAR} from the environment or a secrets file)',
      'g: DATABASE_URL holds a secret in plain text (use ${VAR} from the environment or a secrets file)',
    ]);
    expect(lintCompose({ services: { g: { ...service, environment: ['POSTGRES_PASSWORD=fullon'] } } })).toHaveLength(1);
  });
});
