// The account collector (fullon_account_service): for every active exchange
// account of an active user, reads balances (and positions where the exchange
// has them) with the account's own API credentials and writes them to the cache
// in fullon's layout (cache_api POST /accounts/{ex_id} and .../positions). The
// credentials come from the orm's internal endpoint and live only in the ccxt
// instance: they are never logged. An account whose credentials fail is marked
// and retried slowly; the others go on.
import type { Exchange } from 'ccxt';
import { Backoff, pause } from '../common/backoff.ts';
import { inNewTrace } from '../common/cycle-trace.ts';
import type { CollectorContext } from '../common/context.ts';
import { createExchange, isPermanent, UnknownExchangeError } from '../common/exchanges.ts';
import { fetchActiveAccounts, type ExchangeAccount } from '../common/follow-list.ts';
import { AdaptiveInterval } from './adaptive-interval.ts';

interface Worker {
  fingerprint: string;
  stop: AbortController;
  done: Promise<void>;
}

export async function runAccountCollector(ctx: CollectorContext): Promise<void> {
  const workers = new Map<number, Worker>();
  const ormBackoff = new Backoff(ctx.settings.backoffInitialMs, ctx.settings.backoffMaxMs);
  while (!ctx.signal.aborted) {
    let wait = ctx.settings.refreshMs;
    // One refresh of the follow list is one trace (common/cycle-trace.ts).
    await inNewTrace(async () => {
      try {
        const accounts = await fetchActiveAccounts(ctx.client);
        ormBackoff.succeed();
        ctx.status.ok('orm_api');
        ctx.status.following = accounts.length;
        const seen = new Set<number>();
        for (const account of accounts) {
          seen.add(account.ex_id);
          // A changed key or exchange restarts the account's worker with the new one.
          const fingerprint = JSON.stringify([account.exchange, account.credentials?.key ?? null, account.credentials?.secret?.length ?? 0, account.test]);
          const existing = workers.get(account.ex_id);
          if (existing?.fingerprint === fingerprint) continue;
          existing?.stop.abort();
          const stop = new AbortController();
          const done = followAccount(ctx, account, AbortSignal.any([ctx.signal, stop.signal])).catch((error: Error) =>
            ctx.logger.error({ ex_id: account.ex_id, err: error.message }, 'account worker crashed'),
          );
          workers.set(account.ex_id, { fingerprint, stop, done });
        }
        for (const [exId, worker] of workers) {
          if (seen.has(exId)) continue;
          worker.stop.abort();
          workers.delete(exId);
        }
        ctx.status.retain((target) => target === 'orm_api' || target === 'cache_api' || [...seen].some((exId) => target === `account ${exId}`));
      } catch (error) {
        wait = ormBackoff.fail();
        ctx.status.fail('orm_api', error, wait);
      }
    });
    await pause(wait, ctx.signal);
  }
  await Promise.all([...workers.values()].map((worker) => worker.done));
}

async function followAccount(ctx: CollectorContext, account: ExchangeAccount, signal: AbortSignal): Promise<void> {
  const { settings, status } = ctx;
  const target = `account ${account.ex_id}`;
  // Metrics label accounts by exchange, never by their id.
  status.setExchange(target, account.exchange);
  if (!account.credentials) return status.skip(target, `exchange account ${account.ex_id} (${account.exchange}) has no API credentials`);
  let exchange: Exchange;
  try {
    exchange = createExchange(account.exchange, {
      urls: settings.exchangeUrls,
      timeoutMs: settings.exchangeTimeoutMs,
      rateLimitMs: ctx.rateLimitMs,
      credentials: { apiKey: account.credentials.key, secret: account.credentials.secret, password: account.credentials.passphrase },
    });
  } catch (error) {
    if (error instanceof UnknownExchangeError) return status.skip(target, error.message);
    throw error;
  }
  const interval = new AdaptiveInterval(settings.accountMinMs, settings.accountMaxMs);
  const backoff = new Backoff(settings.backoffInitialMs, settings.backoffMaxMs);
  let last = '';
  try {
    while (!signal.aborted) {
      let wait = 0;
      // One read of the account (and its writes) is one trace (common/cycle-trace.ts).
      await inNewTrace(async () => {
        try {
          const snapshot = await readAccount(exchange);
          const fingerprint = JSON.stringify(snapshot);
          if (fingerprint !== last) {
            await ctx.client.post('cache_api', `/accounts/${account.ex_id}`, snapshot.balances);
            if (snapshot.positions) await ctx.client.post('cache_api', `/accounts/${account.ex_id}/positions`, snapshot.positions);
            ctx.status.count('accounts_written');
            last = fingerprint;
            wait = interval.changed();
          } else {
            wait = interval.unchanged();
          }
          backoff.succeed();
          status.ok(target);
        } catch (error) {
          // Failing credentials are retried at the slowest pace: an operator has to fix them.
          wait = isPermanent(error) ? settings.backoffMaxMs : backoff.fail();
          status.fail(target, error, wait);
        }
      });
      await pause(wait, signal);
    }
  } finally {
    await exchange.close?.().catch(() => {});
  }
}

interface AccountSnapshot {
  balances: Record<string, { total: number; free: number; used: number }>;
  positions: Record<string, Record<string, number | string | null>> | null;
}

async function readAccount(exchange: Exchange): Promise<AccountSnapshot> {
  const balance = await exchange.fetchBalance();
  const balances: AccountSnapshot['balances'] = {};
  const totals = (balance.total ?? {}) as unknown as Record<string, number | undefined>;
  const free = (balance.free ?? {}) as unknown as Record<string, number | undefined>;
  const used = (balance.used ?? {}) as unknown as Record<string, number | undefined>;
  for (const [currency, total] of Object.entries(totals)) {
    if (typeof total !== 'number') continue;
    balances[currency] = { total, free: free[currency] ?? total, used: used[currency] ?? 0 };
  }
  let positions: AccountSnapshot['positions'] = null;
  if (exchange.has.fetchPositions) {
    positions = {};
    for (const position of await exchange.fetchPositions()) {
      if (!position.symbol) continue;
      positions[position.symbol] = {
        cost: position.notional ?? null,
        volume: position.contracts ?? null,
        fee: null,
        count: 1,
        price: position.entryPrice ?? null,
        timestamp: (position.timestamp ?? Date.now()) / 1000,
      };
    }
  }
  return { balances, positions };
}
