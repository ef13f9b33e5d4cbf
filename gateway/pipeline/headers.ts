// Header rules for the hop to an upstream (DESIGN.md "Headers the gateway sends
// upstream"): what a client may not send, what is hop-by-hop, how X-Forwarded-*
// is rebuilt. Pure functions over IncomingHttpHeaders, unit-tested as tables.
import type { IncomingHttpHeaders } from 'node:http';
import type { BlockList } from 'node:net';

/** Hop-by-hop (RFC 9110 §7.6.1) plus headers that make no sense past the gateway. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade', 'expect']);
/** Identity headers only the gateway may set. */
const RESERVED_PREFIXES = ['x-user-', 'x-auth-', 'x-gateway-'];
/** Framing headers a Connection token must not remove (request smuggling / lost bodies). */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'host']);

export interface StripOptions {
  isUpgrade: boolean;
  forwardAuthorization: boolean;
}

/** Removes client-sent identity, hop-by-hop and Connection-nominated headers, in place. */
export function stripClientHeaders(headers: IncomingHttpHeaders, options: StripOptions): void {
  const nominated = typeof headers.connection === 'string' ? headers.connection.split(',') : [];
  for (const token of nominated) {
    const name = token.trim().toLowerCase();
    if (name && !FRAMING.has(name) && !(options.isUpgrade && name === 'upgrade')) delete headers[name];
  }
  for (const name of Object.keys(headers)) {
    if (HOP_BY_HOP.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) delete headers[name];
  }
  if (!options.forwardAuthorization) delete headers.authorization;
  if (options.isUpgrade) {
    // The upgrade handshake itself is the one hop-by-hop exchange we relay.
    headers.connection = 'Upgrade';
    headers.upgrade = 'websocket';
  }
}

export interface ForwardedInput {
  peer: string;
  trusted: BlockList;
  encrypted: boolean;
}

/** Sets X-Forwarded-For/-Proto/-Host: appended to when the peer is a trusted proxy, rebuilt otherwise. */
export function setForwardedHeaders(headers: IncomingHttpHeaders, { peer, trusted, encrypted }: ForwardedInput): void {
  const address = peer.startsWith('::ffff:') ? peer.slice(7) : peer;
  const isTrusted = address !== '' && trusted.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  const given = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  const priorFor = isTrusted ? given('x-forwarded-for') : null;
  headers['x-forwarded-for'] = priorFor ? `${priorFor}, ${address}` : address;
  headers['x-forwarded-proto'] = (isTrusted && given('x-forwarded-proto')) || (encrypted ? 'https' : 'http');
  headers['x-forwarded-host'] = (isTrusted && given('x-forwarded-host')) || headers.host || '';
  delete headers.forwarded;
}
