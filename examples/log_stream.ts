// Example: follow a service's output live (GET /api/v1/services/{name}/logs/stream,
// Server-Sent Events; docs/supervisor-and-health.md). An admin opens the stream,
// gets the last lines first, restarts the service (SERVICE, default cache_api) and
// sees the new process's lines arrive on the same stream as they are written.
// A client that lost the stream reconnects with the Last-Event-ID header (as an
// EventSource does by itself) and gets exactly the lines it missed, none twice.
// Without a token it is 401, as a regular user 403, for an unknown service 404,
// with a bad `lines` or Last-Event-ID 422: each a JSON {"detail"} before any stream opens.
// Run: GATEWAY_URL=http://127.0.0.1:8000 ADMIN_MAIL=... ADMIN_PASSWORD=... npx node examples/log_stream.ts
// (curl: curl -N -H "Authorization: Bearer $TOKEN" $G/api/v1/services/cache_api/logs/stream?lines=5)
import assert from 'node:assert/strict';
import { createUser, fetchJson, login, loginAsAdmin } from './lib/client.ts';
import { openEventStream, type SseMessage } from './lib/event-stream.ts';

const SERVICE = process.env.SERVICE ?? 'cache_api';
const STREAM = `/api/v1/services/${SERVICE}/logs/stream`;

interface LogEntry {
  time: string;
  generation: number;
  pid: number | null;
  stream: 'stdout' | 'stderr';
  level: string;
  msg: string;
  fields: Record<string, unknown>;
}

const entryOf = (message: SseMessage) => JSON.parse(message.data) as LogEntry;

/** A refusal is a plain JSON answer: no stream was opened. */
async function refused(path: string, token?: string, headers?: Record<string, string>): Promise<{ status: number; detail: unknown }> {
  const answer = await openEventStream(path, { token, headers });
  assert.notEqual(answer.status, 200, `${path} should be refused`);
  assert.match(answer.headers.get('content-type') ?? '', /^application\/json/);
  assert.ok(answer.refusal && typeof answer.refusal === 'object' && 'detail' in answer.refusal, JSON.stringify(answer.refusal));
  return { status: answer.status, detail: answer.refusal.detail };
}

async function main(): Promise<void> {
  const admin = await loginAsAdmin();

  // Refused before any stream opens.
  assert.equal((await refused(STREAM)).status, 401);
  const { mail, password } = await createUser(admin, 'logstream-example', { name: 'Log', role: 'user' });
  assert.deepEqual(await refused(STREAM, await login(mail, password)), { status: 403, detail: 'Admin access required' });
  assert.deepEqual(await refused('/api/v1/services/no-such-service/logs/stream', admin), { status: 404, detail: "Service 'no-such-service' not found" });
  assert.equal((await refused(`${STREAM}?lines=0`, admin)).status, 422);
  assert.equal((await refused(STREAM, admin, { 'last-event-id': 'yesterday' })).status, 422);

  const before = await fetchJson(`/api/v1/services/${SERVICE}/status`, { token: admin });
  assert.equal(before.status, 200);
  assert.equal(before.body.status, 'running', `${SERVICE} should be running: ${JSON.stringify(before.body)}`);

  const stream = await openEventStream(`${STREAM}?lines=5`, { token: admin });
  try {
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(stream.headers.get('cache-control'), 'no-store');
    assert.equal(stream.headers.get('x-accel-buffering'), 'no');

    // The backlog: the last lines of the running process, each an entry as /logs gives it, with an id.
    const first = await stream.next(() => true);
    const entry = entryOf(first);
    assert.ok(Number(first.id) > 0, 'each event has a numeric id');
    assert.deepEqual(Object.keys(entry).sort(), ['fields', 'generation', 'level', 'msg', 'pid', 'stream', 'time']);
    const generation = Math.max(...stream.events.map((message) => entryOf(message).generation));

    // Cause new output: a restart runs a new process, whose lines follow on the same stream.
    const restarted = await fetchJson(`/api/v1/services/${SERVICE}/restart`, { method: 'POST', token: admin });
    assert.deepEqual(restarted.body, { service: SERVICE, status: 'restarted' });
    const fresh = await stream.next((message) => message.event === 'message' && entryOf(message).generation > generation, 30_000);
    const after = await fetchJson(`/api/v1/services/${SERVICE}/status`, { token: admin });
    assert.equal(entryOf(fresh).pid, after.body.pid, 'the new lines are the new process’s');
    const ids = stream.events.map((message) => Number(message.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids only grow');
    console.log(`log_stream: ${stream.events.length} events from ${SERVICE}, generation ${generation} → ${entryOf(fresh).generation}: ${entryOf(fresh).msg}`);
  } finally {
    stream.close();
  }

  // The connection drops; meanwhile the service writes more. Reconnecting with the
  // id of the last event received resumes right after it: the missed lines, none twice.
  const last = Math.max(...stream.events.filter((message) => message.event === 'message').map((message) => Number(message.id)));
  const lastGeneration = Math.max(...stream.events.filter((message) => message.event === 'message').map((message) => entryOf(message).generation));
  const restarted = await fetchJson(`/api/v1/services/${SERVICE}/restart`, { method: 'POST', token: admin });
  assert.equal(restarted.status, 200);
  const resumed = await openEventStream(`${STREAM}?lines=5`, { token: admin, headers: { 'last-event-id': String(last) } });
  try {
    assert.equal(resumed.status, 200);
    const missed = await resumed.next((message) => message.event === 'message' && entryOf(message).generation > lastGeneration, 30_000);
    const ids = resumed.events.filter((message) => message.event === 'message').map((message) => Number(message.id));
    assert.ok(ids.every((id) => id > last), `only lines after ${last}: ${ids.join(', ')}`);
    assert.ok(!resumed.events.some((message) => message.event === 'gap'), 'nothing was lost: no gap');
    console.log(`log_stream: resumed after id ${last}: ${ids.length} missed lines, up to the new process's "${entryOf(missed).msg}"`);
  } finally {
    resumed.close();
  }
}

await main();
