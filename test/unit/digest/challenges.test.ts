import { describe, expect, it } from 'vitest';
import { parseWwwAuthenticate } from '../../../src/digest/challenges.js';

function plain(header: string): { scheme: string; params: Record<string, string> }[] {
  return parseWwwAuthenticate(header).map((c) => ({
    scheme: c.scheme,
    params: Object.fromEntries(c.params),
  }));
}

describe('parseWwwAuthenticate', () => {
  it('parses a Digest challenge with quoted commas and escapes', () => {
    expect(
      plain('Digest realm="a, \\"b\\"", nonce="n=1", qop="auth,auth-int", algorithm=MD5-sess'),
    ).toEqual([
      {
        scheme: 'digest',
        params: { realm: 'a, "b"', nonce: 'n=1', qop: 'auth,auth-int', algorithm: 'MD5-sess' },
      },
    ]);
  });

  it('splits several challenges, as in joined headers', () => {
    expect(plain('Negotiate abc==, Basic realm="x", DIGEST Realm = "y" , nonce=z')).toEqual([
      { scheme: 'negotiate', params: {} },
      { scheme: 'basic', params: { realm: 'x' } },
      { scheme: 'digest', params: { realm: 'y', nonce: 'z' } },
    ]);
  });

  it('reads `name=` right after a scheme as a token68, as the grammar says', () => {
    expect(plain('Digest nonce=, realm=x')).toEqual([{ scheme: 'digest', params: { realm: 'x' } }]);
  });

  it('parses schemes without params', () => {
    expect(plain('Basic, Bearer')).toEqual([
      { scheme: 'basic', params: {} },
      { scheme: 'bearer', params: {} },
    ]);
  });

  it('keeps an empty quoted value', () => {
    expect(plain('Basic realm=""')).toEqual([{ scheme: 'basic', params: { realm: '' } }]);
  });

  it.each([
    ['', []],
    ['   ,, ', []],
    ['=nonce', []],
    ['realm="x"', []],
    ['"Digest"', []],
  ])('returns nothing for %j', (header, expected) => {
    expect(plain(header)).toEqual(expected);
  });

  it('stops at an unclosed quote and keeps what came before', () => {
    expect(plain('Digest nonce=a, realm="never closed')).toEqual([
      { scheme: 'digest', params: { nonce: 'a' } },
    ]);
  });

  it('stops at a param without a value', () => {
    expect(plain('Digest realm=x, nonce=, opaque=o')).toEqual([
      { scheme: 'digest', params: { realm: 'x' } },
    ]);
  });

  it('reads at most 16 challenges of a hostile header', () => {
    expect(parseWwwAuthenticate('Basic, '.repeat(10_000))).toHaveLength(16);
  });

  // Quadratic parsing of these inputs takes minutes: the test timeout catches it.
  it('parses a long hostile header without backtracking', () => {
    expect(parseWwwAuthenticate(`Digest realm="${'\\'.repeat(200_000)}`)).toHaveLength(1);
    expect(parseWwwAuthenticate(`Digest ${'a='.repeat(50_000)}`)).toHaveLength(1);
  });
});
