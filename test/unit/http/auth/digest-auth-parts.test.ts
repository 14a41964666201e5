import { describe, expect, it } from 'vitest';
import { digestResponse, parseAlgorithm, sameDigest } from '../../../../src/digest/digest-hash.js';
import { MAX_AUTHORIZATION_LENGTH, parseAuthParams } from '../../../../src/digest/auth-params.js';
import { splitAuthorization } from '../../../../src/http/auth/digest-header.js';
import { createNonceCodec } from '../../../../src/http/auth/digest-nonce.js';
import { NonceUseTracker } from '../../../../src/http/auth/digest-replay.js';
import { sameResource } from '../../../../src/http/auth/digest-verify.js';

describe('digestResponse against published examples', () => {
  it('matches RFC 2617 §3.5 (MD5, qop=auth)', () => {
    const response = digestResponse({
      algorithm: 'MD5',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      cnonce: '0a4f113b',
      qop: { qop: 'auth', nc: '00000001' },
    });
    expect(response).toBe('6629fae49393a05397450978507c4ef1');
  });

  const rfc7616 = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    qop: { qop: 'auth', nc: '00000001' },
  } as const;

  it('matches RFC 7616 §3.9.1 (MD5 and SHA-256)', () => {
    expect(digestResponse({ ...rfc7616, algorithm: 'MD5' })).toBe(
      '8ca523f5e9506fed4657c9700eebdbec',
    );
    expect(digestResponse({ ...rfc7616, algorithm: 'SHA-256' })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('computes the RFC 2069 form as MD5(HA1:nonce:HA2)', () => {
    // HA1 939e7578… is RFC 2617's; the rest worked out with Python's hashlib.
    const response = digestResponse({
      algorithm: 'MD5',
      username: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    });
    expect(response).toBe('670fd8c2df070c60b045671b8b24ff02');
  });
});

describe('parseAlgorithm and sameDigest', () => {
  it('defaults to MD5, ignores case, refuses unknown and prototype names', () => {
    expect(parseAlgorithm(undefined)).toBe('MD5');
    expect(parseAlgorithm('md5-SESS')).toBe('MD5-sess');
    expect(parseAlgorithm('SHA-256')).toBe('SHA-256');
    for (const name of ['SHA-512-256', 'constructor', '__proto__', 'toString', '']) {
      expect(parseAlgorithm(name)).toBeUndefined();
    }
  });

  it('compares hex case-insensitively and refuses other lengths', () => {
    expect(sameDigest('abcdef', 'ABCDEF')).toBe(true);
    expect(sameDigest('abcdef', 'abcdee')).toBe(false);
    expect(sameDigest('abcdef', 'abcdef0')).toBe(false);
  });
});

describe('splitAuthorization and parseAuthParams', () => {
  it('splits the scheme off, lower-cased', () => {
    expect(splitAuthorization('DiGeSt  a=b')).toEqual({ scheme: 'digest', credentials: 'a=b' });
    expect(splitAuthorization('Digest')).toBeUndefined();
    expect(splitAuthorization('Di/gest a=b')).toBeUndefined();
    expect(
      splitAuthorization(`Digest a="${'x'.repeat(MAX_AUTHORIZATION_LENGTH)}"`),
    ).toBeUndefined();
    expect(splitAuthorization('Digest a=b\r\nX: y')).toBeUndefined();
  });

  it('reads tokens and quoted-strings with escapes and optional whitespace', () => {
    const params = parseAuthParams('A=b ,c = "d\\"e, f" ,\tg="" ');
    expect(params).toEqual(
      new Map([
        ['a', 'b'],
        ['c', 'd"e, f'],
        ['g', ''],
      ]),
    );
  });

  it.each([
    ['', 'empty'],
    ['a', 'no ='],
    ['a=', 'no value'],
    ['=b', 'no name'],
    ['a=b c=d', 'missing comma'],
    ['a=b,', 'trailing comma'],
    [',a=b', 'leading comma'],
    ['a=b,,c=d', 'empty element'],
    ['a="b', 'unterminated'],
    ['a="b\\', 'dangling escape'],
    ['a=b,A=c', 'duplicate name'],
    ['a=b\x00', 'NUL'],
    ['a="b\x1bc"', 'ESC inside quotes'],
    ['a=b"c"', 'quote inside a token'],
    ['a@b=c', 'separator in a name'],
  ])('refuses %j (%s)', (text) => {
    expect(parseAuthParams(text)).toBeUndefined();
  });
});

describe('createNonceCodec', () => {
  const codec = createNonceCodec(Buffer.alloc(32, 1), 'Opencast', 300_000);
  const t0 = 1_700_000_000_000;

  it('issues URL-safe nonces that check as valid until the TTL', () => {
    const nonce = codec.issue(t0);
    expect(nonce).toMatch(/^[\w-]{48}$/);
    expect(codec.check(nonce, t0)).toEqual({ valid: true, issuedAt: t0, expired: false });
    expect(codec.check(nonce, t0 + 300_000)).toMatchObject({ valid: true, expired: false });
    expect(codec.check(nonce, t0 + 300_001)).toMatchObject({ valid: true, expired: true });
  });

  it('refuses nonces from another realm or secret, altered, or far in the future', () => {
    const nonce = codec.issue(t0);
    expect(createNonceCodec(Buffer.alloc(32, 1), 'Other', 300_000).check(nonce, t0).valid).toBe(
      false,
    );
    expect(createNonceCodec(Buffer.alloc(32, 2), 'Opencast', 300_000).check(nonce, t0).valid).toBe(
      false,
    );
    for (let i = 0; i < nonce.length; i++) {
      const altered = nonce.slice(0, i) + (nonce[i] === 'x' ? 'y' : 'x') + nonce.slice(i + 1);
      expect(codec.check(altered, t0).valid).toBe(false);
    }
    expect(codec.check(codec.issue(t0 + 31_000), t0).valid).toBe(false);
    expect(codec.check(codec.issue(t0 + 29_000), t0).valid).toBe(true);
  });

  it.each(['', 'abc', `${'A'.repeat(47)}=`, 'A'.repeat(49), 'dcd98b7102dd2f0e8b11d0f600bfb0c093'])(
    'refuses the malformed nonce %j',
    (nonce) => {
      expect(codec.check(nonce, t0).valid).toBe(false);
    },
  );
});

describe('NonceUseTracker', () => {
  it('wants nonce counts to increase and RFC 2069 nonces to be used once', () => {
    const tracker = new NonceUseTracker(10, 1000);
    expect(tracker.use('a', 0, 1, 0)).toBe('fresh');
    expect(tracker.use('a', 0, 1, 0)).toBe('replayed');
    expect(tracker.use('a', 0, 3, 0)).toBe('fresh');
    expect(tracker.use('a', 0, 2, 0)).toBe('replayed');
    expect(tracker.use('a', 0, undefined, 0)).toBe('replayed');
    expect(tracker.use('b', 0, undefined, 0)).toBe('fresh');
    expect(tracker.use('b', 0, undefined, 0)).toBe('replayed');
    expect(tracker.use('b', 0, 99, 0)).toBe('replayed');
  });

  it('stays bounded and refuses what it can no longer vouch for', () => {
    const tracker = new NonceUseTracker(2, 1000);
    expect(tracker.use('n1', 1, undefined, 10)).toBe('fresh');
    expect(tracker.use('n2', 2, undefined, 10)).toBe('fresh');
    expect(tracker.use('n3', 3, undefined, 10)).toBe('fresh');
    expect(tracker.size).toBe(2);
    // n1 was dropped while live: it and anything issued no later are refused, not re-accepted.
    expect(tracker.use('n1', 1, undefined, 10)).toBe('forgotten');
    expect(tracker.use('n0', 0, undefined, 10)).toBe('forgotten');
    expect(tracker.use('n4', 4, undefined, 10)).toBe('fresh');
  });

  it('drops expired entries without raising the floor', () => {
    const tracker = new NonceUseTracker(1, 1000);
    expect(tracker.use('old', 0, undefined, 0)).toBe('fresh');
    expect(tracker.use('new', 2000, undefined, 2000)).toBe('fresh');
    expect(tracker.use('mid', 1500, undefined, 2000)).toBe('fresh');
  });

  it('keeps recently used entries over older ones (LRU)', () => {
    const tracker = new NonceUseTracker(2, 1000);
    tracker.use('a', 5, 1, 10);
    tracker.use('b', 5, 1, 10);
    tracker.use('a', 5, 2, 10);
    tracker.use('c', 6, 1, 10);
    expect(tracker.use('a', 5, 2, 10)).toBe('replayed');
  });
});

describe('sameResource', () => {
  const url = 'http://node1:8080/distribution/s3/distribute?x=1';

  it.each([
    '/distribution/s3/distribute?x=1',
    'http://node1:8080/distribution/s3/distribute?x=1',
    'http://balancer.example.org/distribution/s3/distribute?x=1',
    'HTTPS://node1/distribution/s3/./distribute?x=1',
  ])('accepts %s', (uri) => {
    expect(sameResource(uri, url)).toBe(true);
  });

  it.each([
    '/distribution/s3/distribute',
    '/distribution/s3/distribute?x=2',
    '/distribution/s3/retract?x=1',
    '//node1/distribution/s3/distribute?x=1',
    'ftp://node1/distribution/s3/distribute?x=1',
    'distribution/s3/distribute?x=1',
    '*',
    '',
  ])('refuses %j', (uri) => {
    expect(sameResource(uri, url)).toBe(false);
  });
});
