import { describe, expect, it } from 'vitest';
import { PartialReloadError, reloadTransaction } from '../../../../gateway/config/reload-transaction.ts';
import type { GatewayConfig } from '../../../../gateway/config/types.ts';

const config = {} as GatewayConfig;

describe('reloadTransaction', () => {
  it('prepares every participant before committing any, then commits in order', async () => {
    const events: string[] = [];
    const step = (name: string) => ({ name, prepare: () => (events.push(`prepare ${name}`), () => void events.push(`commit ${name}`)) });
    await reloadTransaction([step('a'), step('b'), step('c')])(config);
    expect(events).toEqual(['prepare a', 'prepare b', 'prepare c', 'commit a', 'commit b', 'commit c']);
  });

  it('commits nothing when a later participant fails to prepare', async () => {
    const commits: string[] = [];
    const apply = reloadTransaction([
      { name: 'a', prepare: () => () => void commits.push('a') },
      { name: 'b', prepare: async () => Promise.reject(new Error('no port')) },
    ]);
    await expect(apply(config)).rejects.toThrow('no port');
    await expect(apply(config)).rejects.not.toBeInstanceOf(PartialReloadError);
    expect(commits).toEqual([]);
  });

  it('names what is already live when a commit throws anyway', async () => {
    const apply = reloadTransaction([
      { name: 'route table', prepare: () => () => {} },
      { name: 'supervisor', prepare: () => () => { throw new Error('boom'); } },
      { name: 'monitor', prepare: () => () => {} },
    ]);
    const error = await apply(config).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PartialReloadError);
    expect(error).toMatchObject({ failed: 'supervisor', committed: ['route table'] });
  });
});
