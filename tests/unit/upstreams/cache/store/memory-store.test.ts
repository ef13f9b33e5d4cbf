// The in-process store runs the shared CacheStore contract.
import { MemoryStore } from '../../../../../upstreams/cache/store/memory-store.ts';
import { runStoreContract } from './contract.ts';

runStoreContract('in-process', async () => ({ store: new MemoryStore(), prefix: 'mem', cleanup: async () => {} }));
