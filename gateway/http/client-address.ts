// Who the client is, for per-address limits: the TCP peer, or — when the peer is a
// trusted proxy (TRUSTED_PROXIES) — the nearest address in X-Forwarded-For that is
// not one of ours. Entries left of that are the client's own say and never trusted.
import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';

export function resolveClientAddress(req: IncomingMessage, trusted: BlockList): string {
  const peer = unmap(req.socket.remoteAddress ?? '');
  if (trusted.rules.length === 0 || !isTrusted(trusted, peer)) return peer;
  const forwarded = req.headers['x-forwarded-for'];
  if (typeof forwarded !== 'string') return peer;
  const hops = forwarded.split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmap(hops[i]!.trim());
    if (hop === '') break;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return peer;
}

function unmap(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  try {
    return trusted.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  } catch {
    // Not an IP at all ("unknown", garbage): not one of our proxies.
    return false;
  }
}
