// A worker's login throttle: the counts live in the primary (in memory, or in
// Redis when REDIS_URL is set), so an attacker spreading guesses over the
// workers' connections meets one limit, not WORKERS of them.
import type { LoginLimiter } from '../auth/login-throttle.ts';
import type { IpcPeer } from './ipc.ts';
import type { PrimarySide, WorkerSide } from './protocol.ts';

export function remoteLoginThrottle(primary: IpcPeer<WorkerSide, PrimarySide>, refusalDelayMs: number): LoginLimiter {
  return {
    refusalDelayMs,
    // A primary that cannot answer rejects the attempt's promise: the login fails
    // as a 500, never goes on uncounted.
    attempt: (account, address) => primary.request('login-attempt', { account, address }),
    succeeded: async (account, address) => void (await primary.request('login-succeeded', { account, address }).catch(() => null)),
    unchecked: async (account) => void (await primary.request('login-unchecked', { account }).catch(() => null)),
  };
}
