import { describe, expect, it } from 'vitest';
import { normaliseHostname, parseHostHeader } from '../../../../gateway/tls/hostname.ts';

describe('normaliseHostname', () => {
  it.each([
    ['api.example.com', 'api.example.com'],
    ['API.Example.COM', 'api.example.com'],
    ['api.example.com.', 'api.example.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['localhost', 'localhost'],
  ])('accepts %s as %s', (input, expected) => {
    expect(normaliseHostname(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['*.example.com', 'a wildcard'],
    ['127.0.0.1', 'an IPv4 address'],
    ['::1', 'an IPv6 address'],
    ['-api.example.com', 'a label starting with a hyphen'],
    ['api-.example.com', 'a label ending with a hyphen'],
    ['api..example.com', 'an empty label'],
    ['api_1.example.com', 'an underscore'],
    ['ex ample.com', 'a space'],
    ['example.com/path', 'a path'],
    ['https://example.com', 'a scheme'],
    [`${'a'.repeat(64)}.com`, 'a 64-character label'],
    [Array.from({ length: 130 }, () => 'ab').join('.'), 'more than 253 characters'],
    ['bücher.example', 'a non-ASCII name (IDNs go in as xn--)'],
  ])('refuses %j (%s)', (input) => {
    expect(normaliseHostname(input)).toBeNull();
  });
});

describe('parseHostHeader', () => {
  it.each([
    ['api.example.com', { name: 'api.example.com', port: null }],
    ['API.example.com:8080', { name: 'api.example.com', port: 8080 }],
    ['api.example.com.:80', { name: 'api.example.com', port: 80 }],
  ])('reads %s', (value, expected) => {
    expect(parseHostHeader(value)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['evil.com@api.example.com', 'userinfo'],
    ['api.example.com/evil.com', 'a path'],
    ['api.example.com:0', 'port 0'],
    ['api.example.com:65536', 'a port above 65535'],
    ['api.example.com:80:80', 'two ports'],
    ['api.example.com:', 'an empty port'],
    ['[::1]:80', 'an IPv6 literal'],
    ['127.0.0.1:80', 'an IPv4 address'],
    ['api.example.com\\evil.com', 'a backslash'],
    ['api.example.com%2fevil.com', 'percent-encoding'],
  ])('refuses %j (%s)', (value) => {
    expect(parseHostHeader(value)).toBeNull();
  });
});
