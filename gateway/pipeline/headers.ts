// Header rules for the hop to an upstream (DESIGN.md "Headers the gateway sends
// upstream"): what a client may not send, what is hop-by-hop, how X-Forwarded-*
// is rebuilt. Pure functions over IncomingHttpHeaders, unit-tested as tables.
import type { IncomingHttpHeaders } from 'node:http';
import type { BlockList } from 'node:net';

/**
 * Hop-by-hop (RFC 9110 §7.6.1), headers that make no sense past the gateway,
 * Forwarded (rebuilt as X-Forwarded-*), and the W3C trace headers (the gateway
 * writes its own: a client's are validated first, gateway/tracing).
 */
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade', 'expect', 'forwarded', 'traceparent', 'tracestate']);
/** The usual Connection values nominate nothing we keep anyway: skip parsing them. */
const PLAIN_CONNECTION = /^\s*(keep-alive|close|upgrade)\s*$/i;
/** Framing headers a Connection token must not remove (request smuggling / lost bodies). */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'host']);

export interface StripOptions {
  isUpgrade: boolean;
  forwardAuthorization: boolean;
}

/** Identity headers only the gateway may set: x-user-*, x-auth-*, x-gateway-*. */
function isReserved(name: string): boolean {
  // Cheap first test: every reserved name starts with "x-".
  return name.charCodeAt(0) === 120 && name.charCodeAt(1) === 45 && (name.startsWith('x-user-') || name.startsWith('x-auth-') || name.startsWith('x-gateway-'));
}

/**
 * The client's headers minus identity, hop-by-hop and Connection-nominated ones,
 * as a new object: deleting from Node's headers object would turn it into a slow
 * dictionary-mode object that every later copy (http-proxy-3, ClientRequest) pays for.
 */
export function stripClientHeaders(headers: IncomingHttpHeaders, options: StripOptions): IncomingHttpHeaders {
  let nominated: Set<string> | null = null;
  const connection = headers.connection;
  if (typeof connection === 'string' && !PLAIN_CONNECTION.test(connection)) {
    nominated = new Set();
    for (const token of connection.split(',')) {
      const name = token.trim().toLowerCase();
      if (name && !FRAMING.has(name) && !(options.isUpgrade && name === 'upgrade')) nominated.add(name);
    }
  }
  const out: IncomingHttpHeaders = {};
  for (const name in headers) {
    if (DROPPED.has(name) || isReserved(name) || nominated?.has(name)) continue;
    // The client's credentials are for the gateway (issue 10 #3): an upstream gets the
    // signed identity headers instead, unless its route asks for them.
    if ((name === 'authorization' || name === 'x-api-key') && !options.forwardAuthorization) continue;
    out[name] = headers[name] as string;
  }
  if (options.isUpgrade) {
    // The upgrade handshake itself is the one hop-by-hop exchange we relay.
    out.connection = 'Upgrade';
    out.upgrade = 'websocket';
  }
  return out;
}

export interface ForwardedInput {
  peer: string;
  /** null when no proxy is trusted (skips the lookup). */
  trusted: BlockList | null;
  encrypted: boolean;
  /** The client's headers, where a trusted proxy's X-Forwarded-* come from. */
  client: IncomingHttpHeaders;
}

/** Sets X-Forwarded-For/-Proto/-Host on headers: appended to when the peer is a trusted proxy, rebuilt otherwise. */
export function setForwardedHeaders(headers: IncomingHttpHeaders, { peer, trusted, encrypted, client }: ForwardedInput): void {
  const address = peer.startsWith('::ffff:') ? peer.slice(7) : peer;
  const isTrusted = trusted !== null && address !== '' && trusted.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  if (!isTrusted) {
    headers['x-forwarded-for'] = address;
    headers['x-forwarded-proto'] = encrypted ? 'https' : 'http';
    headers['x-forwarded-host'] = client.host ?? '';
    return;
  }
  const given = (name: string) => {
    const value = client[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  const priorFor = given('x-forwarded-for');
  headers['x-forwarded-for'] = priorFor ? `${priorFor}, ${address}` : address;
  headers['x-forwarded-proto'] = given('x-forwarded-proto') ?? (encrypted ? 'https' : 'http');
  headers['x-forwarded-host'] = given('x-forwarded-host') ?? client.host ?? '';
}
