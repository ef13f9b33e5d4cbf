// The live output feed of the services API: a snapshot and what follows it meet
// without a gap or a repeat, lines are batched per turn, unknown names are 404.
import { describe, expect, it } from 'vitest';
import { LogFeed } from '../../../../gateway/services-api/log-feed.ts';
import type { LogRecord } from '../../../../gateway/supervisor/line-buffer.ts';
import { FakeLogSupervisor } from '../../../fixtures/logs/fake-log-supervisor.ts';

const turn = () => new Promise((resolve) => setImmediate(resolve));
const msgs = (records: LogRecord[]) => records.map((record) => record.entry.msg);

function feedOf(names = ['orm_api']) {
  const supervisor = new FakeLogSupervisor(names);
  const feed = new LogFeed({ supervisor, exists: (name) => supervisor.has(name) || name === 'health_monitor' });
  return { supervisor, feed };
}

describe('LogFeed', () => {
  it('gives the last lines, then every later line once, in batches per turn', async () => {
    const { supervisor, feed } = feedOf();
    for (const line of ['one', 'two', 'three']) supervisor.print('orm_api', line);
    const batches: LogRecord[][] = [];
    const { backlog, close } = await feed.follow('orm_api', 2, (records) => batches.push(records));
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
    await feed.follow('orm_api', 10, (records) => first.push(...records));
    supervisor.print('orm_api', 'captured before the second follow');
    const second: LogRecord[] = [];
    const { backlog } = await feed.follow('orm_api', 10, (records) => second.push(...records));
    expect(msgs(backlog)).toEqual(['captured before the second follow']);
    supervisor.print('orm_api', 'after both');
    await turn();
    expect(msgs(first)).toEqual(['captured before the second follow', 'after both']);
    expect(msgs(second)).toEqual(['after both']);
  });

  it('keeps each service to its own followers', async () => {
    const { supervisor, feed } = feedOf(['orm_api', 'cache_api']);
    const seen: LogRecord[] = [];
    await feed.follow('orm_api', 1, (records) => seen.push(...records));
    supervisor.print('cache_api', 'not for orm');
    supervisor.print('orm_api', 'for orm');
    await turn();
    expect(msgs(seen)).toEqual(['for orm']);
  });

  it('refuses an unknown service with the catalogue 404, and follows a virtual one with no output', async () => {
    const { feed } = feedOf();
    await expect(feed.follow('ghost', 10, () => {})).rejects.toMatchObject({ code: 'SERVICE_NOT_FOUND', status: 404, detail: "Service 'ghost' not found" });
    const { backlog } = await feed.follow('health_monitor', 10, () => {});
    expect(backlog).toEqual([]);
  });

  it('one follower that throws does not stop the others', async () => {
    const { supervisor, feed } = feedOf();
    await feed.follow('orm_api', 1, () => {
      throw new Error('broken follower');
    });
    const seen: LogRecord[] = [];
    await feed.follow('orm_api', 1, (records) => seen.push(...records));
    supervisor.print('orm_api', 'still delivered');
    await turn();
    expect(msgs(seen)).toEqual(['still delivered']);
  });
});
