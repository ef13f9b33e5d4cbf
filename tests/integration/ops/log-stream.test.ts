// Live logs over Server-Sent Events (GET /api/v1/services/{name}/logs/stream)
// from a real gateway process with two workers, in front of a real orm (real
// Postgres) for the admin and user tokens, supervising one daemon whose start-up
// output includes hostile lines. Whichever worker takes a stream, its lines come
// from the primary's supervisor; the primary's log says how many worker
// subscriptions are open, which is how a test sees a departed client free its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventStream, type EventStream, type SseMessage } from '../../../examples/lib/event-stream.ts';
import { fixturePath } from '../../fixtures/processes/configs.ts';
import { uniqueMail } from '../../helpers/isolation.ts';
import type { StartedProcess } from '../../helpers/processes.ts';
import { makeSharedSecrets, startExternalOrm, startGatewayProcess, tokenOf, type GatewayProcess } from './stack.ts';

const secrets = makeSharedSecrets();
const STREAMS_PER_WORKER = 2;
/** Printed by the daemon at every start: a JSON line whose message and fields hold SSE framing, and a plain line that looks like a field. */
const HOSTILE_MSG = 'evil\n\ndata: {"forged":true}\n\nid: 999999\r\nevent: end\r\n\r\n';
const DAEMON_LINES = [JSON.stringify({ level: 30, msg: HOSTILE_MSG, note: 'data: {"forged":true}\r\n\r\n' }), 'data: {"forged":true}'];

interface Entry {
  time: string;
  generation: number;
  pid: number | null;
  stream: string;
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}
const entryOf = (message: SseMessage) => JSON.parse(message.data) as Entry;

describe('service logs as Server-Sent Events, two workers', { timeout: 90_000 }, () => {
  let orm: StartedProcess;
  let gateway: GatewayProcess;
  let admin: string;
  const open: EventStream[] = [];

  const stream = async (path: string, token?: string, headers?: Record<string, string>) => {
    const opened = await openEventStream(path, { baseUrl: gateway.url, token, headers });
    open.push(opened);
    return opened;
  };
  const closeAll = () => {
    for (const opened of open.splice(0)) opened.close();
  };
  /** The primary's log lines since `mark` (an index into the gateway's output). */
  const primaryLines = (mark: number) =>
    gateway.output.slice(mark).flatMap((line) => {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        return parsed.pid === gateway.child.pid ? [parsed] : [];
      } catch {
        return [];
      }
    });
  const subscriptionsNow = (mark: number) => primaryLines(mark).filter((line) => typeof line.log_subscriptions === 'number').at(-1)?.log_subscriptions;
  const control = (action: string) => fetch(`${gateway.url}/api/v1/services/chatty/${action}`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } });
  const statusNow = async () => ((await (await fetch(`${gateway.url}/api/v1/services/chatty/status`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { restarts: number; pid: number });

  beforeAll(async () => {
    orm = await startExternalOrm(secrets, 'ops_logstream_orm');
    gateway = await startGatewayProcess(
      secrets,
      `
upstreams:
  orm_api:
    url: ${orm.url}
    health: { path: /health, critical: true }
services:
  chatty:
    process:
      command: [node, ${JSON.stringify(fixturePath('idle-daemon.ts'))}]
      env: { DAEMON_LINES: ${JSON.stringify(JSON.stringify(DAEMON_LINES))} }
      stop_grace: 3s
routes:
  - { prefix: /api/v1/orm, upstream: orm_api, rewrite: "", auth: user }
`,
      { WORKERS: '2', LOG_STREAMS_MAX: String(STREAMS_PER_WORKER), SHUTDOWN_GRACE_MS: '60000' },
    );
    admin = await tokenOf(gateway.url, secrets.adminMail, secrets.adminPassword);
    expect((await control('start')).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    closeAll();
    await gateway?.remove();
    await orm?.stop();
  });

  it('refuses with a JSON {"detail"} before any stream opens: 401 without a token, 403 for a user, 404 unknown service, 422 bad lines or Last-Event-ID', async () => {
    const mail = uniqueMail('logstream');
    const created = await fetch(`${gateway.url}/api/v1/orm/users`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ mail, password: 'log-stream-user-1', name: 'Log', lastname: 'User' }) });
    expect(created.status).toBeLessThan(300);
    const user = await tokenOf(gateway.url, mail, 'log-stream-user-1');
    const cases: Array<[string, string | undefined, number, unknown]> = [
      ['/api/v1/services/chatty/logs/stream', undefined, 401, 'Not authenticated'],
      ['/api/v1/services/chatty/logs/stream', user, 403, 'Admin access required'],
      ['/api/v1/services/ghost/logs/stream', admin, 404, "Service 'ghost' not found"],
      ['/api/v1/services/chatty/logs/stream?lines=0', admin, 422, 'lines must be an integer between 1 and 1000'],
      ['/api/v1/services/chatty/logs/stream?lines=abc', admin, 422, 'lines must be an integer between 1 and 1000'],
    ];
    for (const [path, token, status, detail] of cases) {
      const answer = await stream(path, token);
      expect({ path, status: answer.status, body: answer.refusal }).toEqual({ path, status, body: { detail } });
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    }
    for (const lastEventId of ['abc', '-1', '1.5', '1e3', '0x10', '99999999999999999']) {
      const answer = await stream('/api/v1/services/chatty/logs/stream', admin, { 'last-event-id': lastEventId });
      expect({ lastEventId, status: answer.status, body: answer.refusal }).toEqual({ lastEventId, status: 422, body: { detail: 'Last-Event-ID must be the id of a line a log stream sent (a whole number)' } });
    }
  });

  it('resumes after a Last-Event-ID with exactly the lines missed, whichever worker takes it; a gap event when some may be lost', async () => {
    const first = await stream('/api/v1/services/chatty/logs/stream?lines=1000', admin);
    await first.next((message) => entryOf(message).msg === 'data: {"forged":true}');
    const lastSeen = Number(first.events.at(-1)!.id);
    const generation = Math.max(...first.events.map((message) => entryOf(message).generation));
    first.close();
    // Missed while away: a restart's lines.
    expect((await control('restart')).status).toBe(200);
    const everything = await stream('/api/v1/services/chatty/logs/stream?lines=1000', admin);
    await everything.next((message) => entryOf(message).generation === generation + 1 && entryOf(message).msg === 'data: {"forged":true}');
    const missed = everything.events.filter((message) => Number(message.id) > lastSeen).map((message) => message.id);
    expect(missed.length).toBeGreaterThanOrEqual(3);
    // Its events stay here. Closed now so that, with a resumed stream the worker has not
    // yet seen closed, the next one still fits the cap of STREAMS_PER_WORKER per worker.
    everything.close();
    // Several reconnections, so both workers serve some: each gets the missed lines, from the first on, none twice.
    for (let attempt = 0; attempt < 4; attempt++) {
      const resumed = await stream('/api/v1/services/chatty/logs/stream?lines=1', admin, { 'last-event-id': String(lastSeen) });
      expect(resumed.status).toBe(200);
      await resumed.next((message) => message.id === missed.at(-1));
      expect(resumed.events.map((message) => message.id)).toEqual(missed);
      resumed.close();
    }
    // An id this gateway never sent (an earlier gateway process's): a gap event first, then every line kept.
    const foreign = await stream('/api/v1/services/chatty/logs/stream?lines=1', admin, { 'last-event-id': '12' });
    await foreign.next((message) => message.id === missed.at(-1));
    expect(foreign.events[0]).toMatchObject({ event: 'gap', data: '{"after":12}' });
    expect(foreign.events.slice(1).map((message) => message.id)).toEqual(everything.events.map((message) => message.id));
    closeAll();
  });

  it('sends the last lines, then a restarted and a stopped-then-started process’s new lines, on every open stream', async () => {
    const mark = gateway.output.length;
    const streams = [await stream('/api/v1/services/chatty/logs/stream?lines=3', admin), await stream('/api/v1/services/chatty/logs/stream?lines=1000', admin)];
    for (const opened of streams) {
      expect(opened.status).toBe(200);
      expect(opened.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(opened.headers.get('cache-control')).toBe('no-store');
      expect(opened.headers.get('x-accel-buffering')).toBe('no');
      await opened.next((message) => entryOf(message).msg === 'daemon up');
    }
    // lines=3: exactly the backlog asked for (the daemon's three lines, the last one a plain text line).
    await streams[0]!.next((message) => entryOf(message).msg === 'data: {"forged":true}');
    expect(streams[0]!.events.map((message) => entryOf(message).msg)).toEqual(['daemon up', HOSTILE_MSG, 'data: {"forged":true}']);
    const before = Math.max(...streams[1]!.events.map((message) => entryOf(message).generation));

    expect((await control('restart')).status).toBe(200);
    const restarted = await statusNow();
    for (const opened of streams) {
      const line = await opened.next((message) => entryOf(message).generation === before + 1 && entryOf(message).msg === 'daemon up');
      expect(entryOf(line).pid).toBe(restarted.pid);
    }
    // Stopped: the streams stay open; started again: the next process's lines come on them.
    expect((await control('stop')).status).toBe(200);
    expect((await control('start')).status).toBe(200);
    for (const opened of streams) await opened.next((message) => entryOf(message).generation === before + 2 && entryOf(message).msg === 'daemon up');
    for (const opened of streams) {
      const ids = opened.events.map((message) => Number(message.id));
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(ids.length);
    }
    // One primary subscription per worker serving a stream, never one per stream.
    const followers = new Set(primaryLines(mark).filter((line) => String(line.msg).includes('follows chatty')).map((line) => line.worker));
    expect(followers.size).toBeGreaterThanOrEqual(1);
    expect(Math.max(...primaryLines(mark).map((line) => Number(line.log_subscriptions ?? 0)))).toBeLessThanOrEqual(2);
    closeAll();
    await expect.poll(() => subscriptionsNow(mark), { timeout: 20_000 }).toBe(0);
  });

  it('frees the primary-side subscription when the client goes away', async () => {
    const mark = gateway.output.length;
    const opened = await stream('/api/v1/services/chatty/logs/stream?lines=1', admin);
    expect(opened.status).toBe(200);
    await opened.next(() => true);
    await expect.poll(() => subscriptionsNow(mark), { timeout: 20_000 }).toBe(1);
    opened.close();
    await expect.poll(() => subscriptionsNow(mark), { timeout: 20_000 }).toBe(0);
    expect(primaryLines(mark).some((line) => String(line.msg).includes('stopped following chatty'))).toBe(true);
  });

  it(`caps open streams per worker (LOG_STREAMS_MAX=${STREAMS_PER_WORKER}): beyond it a 503 {"detail"} with Retry-After`, async () => {
    const mark = gateway.output.length;
    // Two workers with two streams each: the fifth stream at the latest finds its worker full.
    let refusal: EventStream | null = null;
    for (let attempt = 0; attempt < STREAMS_PER_WORKER * 2 + 1 && !refusal; attempt++) {
      const opened = await stream('/api/v1/services/chatty/logs/stream?lines=1', admin);
      if (opened.status !== 200) refusal = opened;
    }
    expect(refusal?.status).toBe(503);
    expect(refusal!.headers.get('retry-after')).toBe('5');
    expect(refusal!.refusal).toEqual({ detail: `Too many log streams are open (at most ${STREAMS_PER_WORKER} per gateway worker, LOG_STREAMS_MAX); try again later` });
    closeAll();
    await expect.poll(() => subscriptionsNow(mark), { timeout: 20_000 }).toBe(0);
    // Room again once the streams closed.
    const again = await stream('/api/v1/services/chatty/logs/stream?lines=1', admin);
    expect(again.status).toBe(200);
    closeAll();
  });

  it('keeps a log line holding CR, LF and "data:" inside one event', async () => {
    const opened = await stream('/api/v1/services/chatty/logs/stream?lines=1000', admin);
    const hostile = await opened.next((message) => entryOf(message).msg === HOSTILE_MSG);
    expect(hostile.event).toBe('message');
    expect(entryOf(hostile).fields).toEqual({ note: 'data: {"forged":true}\r\n\r\n' });
    await opened.next((message) => entryOf(message).msg === 'data: {"forged":true}');
    // Nothing forged: every event is an entry, none is an `end`, none has the forged id or body.
    for (const message of opened.events) {
      expect(message.event).toBe('message');
      expect(message.id).not.toBe('999999');
      expect(entryOf(message)).toHaveProperty('generation');
    }
    closeAll();
  });

  it('SIGTERM ends open streams with an `end` event at once: the drain does not wait out its 60 s grace on them', async () => {
    const opened = await stream('/api/v1/services/chatty/logs/stream?lines=1', admin);
    expect(opened.status).toBe(200);
    await opened.next(() => true);
    const mark = gateway.output.length;
    const exited = gateway.stop('SIGTERM');
    const end = await opened.next((message) => message.event === 'end');
    expect(JSON.parse(end.data)).toEqual({ reason: 'the gateway is shutting down' });
    await opened.ended;
    expect(await exited).toBe(0);
    expect(gateway.output.slice(mark).some((line) => line.includes('shutdown grace over'))).toBe(false);
  });
});
