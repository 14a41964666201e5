import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDigestAuthorization } from '../../../src/sources/digest-auth.js';

function params(header: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    found[match[1]!] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return found;
}

const md5 = (value: string): string => createHash('md5').update(value).digest('hex');

describe('createDigestAuthorization', () => {
  it('matches the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    const header = createDigestAuthorization({
      challenge: new Map([
        ['realm', 'testrealm@host.com'],
        ['qop', 'auth,auth-int'],
        ['nonce', 'dcd98b7102dd2f0e8b11d0f600bfb0c093'],
        ['opaque', '5ccc069c403ebaf9f0171e9517f40e41'],
      ]),
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: '0a4f113b',
    });
    expect(header?.startsWith('Digest ')).toBe(true);
    expect(params(header!)).toEqual({
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
      response: '6629fae49393a05397450978507c4ef1',
      opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    });
  });

  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('matches the RFC 7616 §3.9.1 example with %s', (algorithm, response) => {
    const header = createDigestAuthorization({
      challenge: new Map([
        ['realm', 'http-auth@example.org'],
        ['qop', 'auth, auth-int'],
        ['algorithm', algorithm],
        ['nonce', '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v'],
        ['opaque', 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS'],
      ]),
      username: 'Mufasa',
      password: 'Circle of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    });
    expect(params(header!)).toMatchObject({ algorithm, response });
  });

  it('uses the RFC 2069 form when no qop is offered', () => {
    const header = createDigestAuthorization({
      challenge: new Map([
        ['realm', 'r'],
        ['nonce', 'n'],
      ]),
      username: 'u',
      password: 'p',
      method: 'GET',
      uri: '/x?y=1',
    });
    const sent = params(header!);
    expect(sent.response).toBe(md5(`${md5('u:r:p')}:n:${md5('GET:/x?y=1')}`));
    expect(sent).not.toHaveProperty('qop');
    expect(sent).not.toHaveProperty('nc');
  });

  it('computes MD5-sess from the client nonce', () => {
    const header = createDigestAuthorization({
      challenge: new Map([
        ['realm', 'r'],
        ['nonce', 'n'],
        ['qop', 'auth'],
        ['algorithm', 'MD5-sess'],
      ]),
      username: 'u',
      password: 'p',
      method: 'GET',
      uri: '/x',
      cnonce: 'c',
    });
    const ha1 = md5(`${md5('u:r:p')}:n:c`);
    expect(params(header!).response).toBe(md5(`${ha1}:n:00000001:c:auth:${md5('GET:/x')}`));
  });

  it('uses a fresh random client nonce by default', () => {
    const input = {
      challenge: new Map([
        ['nonce', 'n'],
        ['qop', 'auth'],
      ]),
      username: 'u',
      password: 'p',
      method: 'GET',
      uri: '/',
    };
    const first = params(createDigestAuthorization(input)!).cnonce;
    const second = params(createDigestAuthorization(input)!).cnonce;
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(first).not.toBe(second);
  });

  it('escapes quotes and backslashes in quoted values', () => {
    const header = createDigestAuthorization({
      challenge: new Map([
        ['realm', 'a"b\\c'],
        ['nonce', 'n'],
      ]),
      username: 'x"y',
      password: 'p',
      method: 'GET',
      uri: '/',
    });
    expect(header).toContain('username="x\\"y"');
    expect(header).toContain('realm="a\\"b\\\\c"');
  });

  it.each([
    ['no nonce', [['realm', 'r']]],
    [
      'only auth-int',
      [
        ['nonce', 'n'],
        ['qop', 'auth-int'],
      ],
    ],
    [
      'an unknown algorithm',
      [
        ['nonce', 'n'],
        ['algorithm', 'SHA-512-256'],
      ],
    ],
    ['a CR LF in a value', [['nonce', 'n\r\nX-Injected: 1']]],
  ])('gives up on a challenge with %s', (_name, entries) => {
    const challenge = new Map(entries as [string, string][]);
    expect(
      createDigestAuthorization({
        challenge,
        username: 'u',
        password: 'p',
        method: 'GET',
        uri: '/',
      }),
    ).toBeUndefined();
  });
});
