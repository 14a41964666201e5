import { describe, expect, it } from 'vitest';
import {
  canonicalPath,
  formatUrlPrefix,
  parseUrlPrefix,
  pathAfterPrefix,
} from '../../../src/sources/url-prefix.js';

describe('canonicalPath', () => {
  it('decodes unreserved characters and upper-cases the other escapes', () => {
    expect(canonicalPath('/%66iles/%7euser/a%2fb%3a%c3%a9')).toBe('/files/~user/a%2Fb%3A%C3%A9');
  });

  it('leaves malformed escapes alone', () => {
    expect(canonicalPath('/a%zz%4')).toBe('/a%zz%4');
  });
});

describe('parseUrlPrefix', () => {
  it.each([
    ['HTTP://Host.Example:80/Files/', { origin: 'http://host.example', path: '/Files' }],
    ['https://host.example:8443', { origin: 'https://host.example:8443', path: '' }],
    ['http://[0::1]/x', { origin: 'http://[::1]', path: '/x' }],
  ])('parses %s', (value, expected) => {
    expect(parseUrlPrefix(value)).toEqual(expected);
  });

  it.each(['', 'files', '/files', 'ftp://a/', 'http://u@a/', 'http://a/?', 'http://a/#'])(
    'refuses %j',
    (value) => {
      expect(parseUrlPrefix(value)).toBeUndefined();
    },
  );

  it('formats root prefixes with their slash', () => {
    expect(formatUrlPrefix({ origin: 'http://a', path: '' })).toBe('http://a/');
    expect(formatUrlPrefix({ origin: 'http://a', path: '/x' })).toBe('http://a/x');
  });
});

describe('pathAfterPrefix', () => {
  const prefix = { origin: 'http://a.example', path: '/files' };
  it.each([
    ['http://a.example/files', ''],
    ['http://a.example/files/', '/'],
    ['http://a.example/files/x/y', '/x/y'],
    ['http://A.EXAMPLE:80/%66iles/x', '/x'],
  ])('%s is under the prefix, rest %j', (url, rest) => {
    expect(pathAfterPrefix(new URL(url), prefix)).toBe(rest);
  });

  it.each([
    'http://a.example/filesystem',
    'http://a.example/file',
    'http://a.example/',
    'https://a.example/files/x',
    'http://a.example:81/files/x',
    'http://a.example.evil/files/x',
  ])('%s is not under the prefix', (url) => {
    expect(pathAfterPrefix(new URL(url), prefix)).toBeUndefined();
  });

  it('a root prefix covers every path of its origin', () => {
    expect(
      pathAfterPrefix(new URL('http://a.example/x'), { origin: 'http://a.example', path: '' }),
    ).toBe('/x');
  });
});
