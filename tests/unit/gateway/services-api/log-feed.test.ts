// The live output feed of the services API: a snapshot and what follows it meet
// without a gap or a repeat, lines are batched per turn, unknown names are 404.
import { describe, expect, it } from 'vitest';
import { LogFeed } from '../../../../gateway/services-api/log-feed.ts';
import { lastLineIdSoFar, type LogRecord } from '../../../../gateway/supervisor/line-buffer.ts';
import { FakeLogSupervisor } from '../../../fixtures/logs/fake-log-supervisor.ts';

const turn = () => new Promise((resolve) => setImmediate(resolve));
const msgs = (records: LogRecord[]) => records.map((record) => record.entry.msg);

function feedOf(names = ['orm_api'], capacity?: number) {
  const supervisor = new FakeLogSupervisor(names, capacity);
  const feed = new LogFeed({ supervisor, exists: (name) => supervisor.has(name) || name === 'health_monitor' });
  return { supervisor, feed };
}

describe('LogFeed', () => {
  it('gives the last lines, then every later line once, in batches per turn', async () => {
    const { supervisor, feed } = feedOf();
    for (const line of ['one', 'two', 'three']) supervisor.print('orm_api', line);
    const batches: LogRecord[][] = [];
    const { backlog, close } = await feed.follow('orm_api', { lines: 2 }, (records) => batches.push(records));
    expect(msgs(backlog)).toEqual(['two', 'three']);
    supervisor.print('orm_api', 'four');
    supervisor.print('orm_api', '{"level":50,"msg":"five","code":7}', 'stderr');
    await turn();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((record) => record.entry)).toEqual([
      expect.objectContaining({ msg: 'four', stream: 'stdout', level: 'info', fields: {} }),
      expect.objectContaining({ msg: 'five', stream: 'stderr', level: 'error', fields: { code: 7 } }),
    ]);
    // Ids only grow, from the backlog on.
    const all = [...backlog, ...batches.flat()].map((record) => record.id);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    close();
    supervisor.print('orm_api', 'six');
    await turn();
    expect(batches).toHaveLength(1);
    expect(feed.subscribers()).toBe(0);
  });

  it('does not repeat a line that was in the snapshot but still waiting for its batch', async () => {
    const { supervisor, feed } = feedOf();
    const first: LogRecord[] = [];
    await feed.follow('orm_api', { lines: 10 }, (records) => first.push(...records));
    supervisor.print('orm_api', 'captured before the second follow');
    const second: LogRecord[] = [];
    const { backlog } = await feed.follow('orm_api', { lines: 10 }, (records) => second.push(...records));
    expect(msgs(backlog)).toEqual(['captured before the second follow']);
    supervisor.print('orm_api', 'after both');
    await turn();
    expect(msgs(first)).toEqual(['captured before the second follow', 'after both']);
    expect(msgs(second)).toEqual(['after both']);
  });

  it('resumes after a Last-Event-ID: every kept line after it, whatever `lines` says, then the later ones', async () => {
    const { supervisor, feed } = feedOf();
    for (const line of ['one', 'two', 'three', 'four']) supervisor.print('orm_api', line);
    const { backlog: first } = await feed.follow('orm_api', { lines: 4 }, () => {});
    const seen: LogRecord[] = [];
    const resumed = await feed.follow('orm_api', { lines: 1, afterId: first[1]!.id }, (records) => seen.push(...records));
    expect(msgs(resumed.backlog)).toEqual(['three', 'four']);
    expect(resumed.gap).toBe(false);
    supervisor.print('orm_api', 'five');
    await turn();
    expect(msgs(seen)).toEqual(['five']);
    // Caught up: nothing to send, no gap.
    const current = await feed.follow('orm_api', { lines: 1, afterId: seen[0]!.id }, () => {});
    expect(current).toMatchObject({ backlog: [], gap: false });
  });

  it('resumes with a gap when lines after the id were dropped, or the id is not this process\'s', async () => {
    const { supervisor, feed } = feedOf(['orm_api'], 3);
    supervisor.print('orm_api', 'one');
    const { backlog } = await feed.follow('orm_api', { lines: 1 }, () => {});
    for (const line of ['two', 'three', 'four', 'five']) supervisor.print('orm_api', line);
    // Only the last 3 are kept: "two" is gone.
    const afterDrop = await feed.follow('orm_api', { lines: 10, afterId: backlog[0]!.id }, () => {});
    expect(msgs(afterDrop.backlog)).toEqual(['three', 'four', 'five']);
    expect(afterDrop.gap).toBe(true);
    // An id of an earlier gateway process (below this one's first) or of none yet (above its last): everything kept, and a gap.
    for (const foreign of [1, lastLineIdSoFar() + 1]) {
      const resumed = await feed.follow('orm_api', { lines: 1, afterId: foreign }, () => {});
      expect(msgs(resumed.backlog)).toEqual(['three', 'four', 'five']);
      expect(resumed.gap).toBe(true);
    }
    // A virtual service has no output to resume: nothing, and no gap for an id of this process.
    expect(await feed.follow('health_monitor', { lines: 1, afterId: lastLineIdSoFar() }, () => {})).toMatchObject({ backlog: [], gap: false });
  });

  it('keeps each service to its own followers', async () => {
    const { supervisor, feed } = feedOf(['orm_api', 'cache_api']);
    const seen: LogRecord[] = [];
    await feed.follow('orm_api', { lines: 1 }, (records) => seen.push(...records));
    supervisor.print('cache_api', 'not for orm');
    supervisor.print('orm_api', 'for orm');
    await turn();
    expect(msgs(seen)).toEqual(['for orm']);
  });

  it('refuses an unknown service with the catalogue 404, and follows a virtual one with no output', async () => {
    const { feed } = feedOf();
    await expect(feed.follow('ghost', { lines: 10 }, () => {})).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND', status: 404, detail: "Service 'ghost' not found" });
    const { backlog } = await feed.follow('health_monitor', { lines: 10 }, () => {});
    expect(backlog).toEqual([]);
  });

  it('one follower that throws does not stop the others', async () => {
    const { supervisor, feed } = feedOf();
    await feed.follow('orm_api', { lines: 1 }, () => {
      throw new Error('broken follower');
    });
    const seen: LogRecord[] = [];
    await feed.follow('orm_api', { lines: 1 }, (records) => seen.push(...records));
    supervisor.print('orm_api', 'still delivered');
    await turn();
    expect(msgs(seen)).toEqual(['still delivered']);
  });
});
