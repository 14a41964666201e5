import { describe, expect, it } from 'vitest';
import { decodePathSegments, isInside } from '../../../src/sources/local-path.js';

describe('decodePathSegments', () => {
  it('decodes each segment and drops empty ones', () => {
    expect(decodePathSegments('/a%20b//c%C3%A9/')).toEqual(['a b', 'cé']);
    expect(decodePathSegments('')).toEqual([]);
  });

  it.each([
    '/a/%2F',
    '/a%2fb',
    '/%5C',
    '/a%00',
    '/%2e',
    '/%2E%2E',
    '/./x',
    '/../x',
    '/%E0%A4%A',
    '/%',
  ])('refuses %j', (path) => {
    expect(decodePathSegments(path)).toBeUndefined();
  });

  it('keeps double-encoded dots as literal names', () => {
    expect(decodePathSegments('/%252e%252e')).toEqual(['%2e%2e']);
  });
});

describe('isInside', () => {
  it.each([
    ['/srv/root', '/srv/root', true],
    ['/srv/root', '/srv/root/a/b', true],
    ['/srv/root', '/srv/root/..a', true],
    ['/srv/root', '/srv/rootfs/a', false],
    ['/srv/root', '/srv', false],
    ['/srv/root', '/etc/passwd', false],
  ])('isInside(%s, %s) is %s', (root, candidate, expected) => {
    expect(isInside(root, candidate)).toBe(expected);
  });
});
