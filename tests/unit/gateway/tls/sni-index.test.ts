// SNI selection: exact SAN, then a wildcard covering one label, the longest-valid
// pair among several for one name, and null (the default's turn) otherwise.
import { describe, expect, it } from 'vitest';
import type { CertificatePair } from '../../../../gateway/tls/certificate-pair.ts';
import { buildSniIndex } from '../../../../gateway/tls/sni-index.ts';

const pair = (id: string, names: string[], validTo = '2030-01-01T00:00:00Z') =>
  ({ source: { id, certFile: id, keyFile: `${id}.key`, kind: 'dir' }, names, validTo: new Date(validTo) }) as unknown as CertificatePair;

const api = pair('api', ['api.example.com']);
const wild = pair('wild', ['*.example.com']);
const deep = pair('deep', ['*.eu.example.com', 'eu.example.com']);
const odd = pair('odd', ['a*.example.org', '*.*.example.org']);
const index = buildSniIndex([api, wild, deep, odd]);

describe('buildSniIndex', () => {
  it.each([
    ['api.example.com', 'api'],
    ['API.EXAMPLE.COM', 'api'],
    ['api.example.com.', 'api'],
    ['www.example.com', 'wild'],
    ['example.com', null],
    ['a.b.example.com', null],
    ['eu.example.com', 'deep'],
    ['fr.eu.example.com', 'deep'],
    ['ab.example.org', null],
    ['x.y.example.org', null],
    ['localhost', null],
    ['', null],
  ])('%s → %s', (servername, expected) => {
    expect(index.lookup(servername)?.source.id ?? null).toBe(expected);
  });

  it('prefers, among pairs for the same name, the one valid longest (a renewal beside the old one)', () => {
    const old = pair('old', ['api.example.com'], '2027-01-01T00:00:00Z');
    const renewed = pair('renewed', ['api.example.com'], '2027-03-01T00:00:00Z');
    expect(buildSniIndex([old, renewed]).lookup('api.example.com')?.source.id).toBe('renewed');
    expect(buildSniIndex([renewed, old]).lookup('api.example.com')?.source.id).toBe('renewed');
  });

  it('lists the names it answers for, without the forms browsers do not match', () => {
    expect(index.names()).toEqual(['*.eu.example.com', '*.example.com', 'api.example.com', 'eu.example.com']);
  });
});
