// Privacy rules (issue 7): market data for any authenticated user; accounts,
// positions, orders, user trades and bot status for the owner or an admin;
// process health for admins. Callers turn a "no" into *_NOT_FOUND, so a
// stranger cannot tell "not yours" from "does not exist".
import type { Identity } from '../../common/assertion.ts';
import type { OwnershipClient } from './ownership.ts';

export class AccessPolicy {
  #ownership: OwnershipClient;

  constructor(ownership: OwnershipClient) {
    this.#ownership = ownership;
  }

  isAdmin(identity: Identity): boolean {
    return identity.role === 'admin';
  }

  /** Admins and holders of the cache:write scope may write. */
  canWrite(identity: Identity): boolean {
    return this.isAdmin(identity) || identity.scopes.includes('cache:write');
  }

  async ownsExchange(identity: Identity, exId: number): Promise<boolean> {
    if (this.isAdmin(identity)) return true;
    return (await this.#ownership.ownershipOf(identity.userId)).exIds.has(exId);
  }

  async ownsBot(identity: Identity, botId: number): Promise<boolean> {
    if (this.isAdmin(identity)) return true;
    return (await this.#ownership.ownershipOf(identity.userId)).botIds.has(botId);
  }

  /** The user's own trades (user_trades:{uid}:…) are theirs alone. */
  ownsUser(identity: Identity, uid: number): boolean {
    return this.isAdmin(identity) || identity.userId === uid;
  }

  /** null means "all" (admin). */
  async visibleBots(identity: Identity): Promise<ReadonlySet<number> | null> {
    if (this.isAdmin(identity)) return null;
    return (await this.#ownership.ownershipOf(identity.userId)).botIds;
  }

  async visibleExchanges(identity: Identity): Promise<ReadonlySet<number> | null> {
    if (this.isAdmin(identity)) return null;
    return (await this.#ownership.ownershipOf(identity.userId)).exIds;
  }
}
