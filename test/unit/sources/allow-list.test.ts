import { describe, expect, it } from 'vitest';
import {
  checkSourceUrl,
  isAllowed,
  MAX_SOURCE_URL_LENGTH,
} from '../../../src/sources/allow-list.js';
import {
  normalizeSourceSettings,
  type SourceSettings,
} from '../../../src/sources/source-settings.js';

const raw: SourceSettings = {
  allowedUrlPrefixes: [
    'http://allowed.example.org/files',
    'https://cdn.example.org/',
    'http://[::1]:8080/media',
  ],
  sharedStorage: [{ urlPrefix: 'http://opencast.example.org/static', directory: '/srv/shared' }],
  fileRoots: ['/srv/files'],
  credentials: [],
  connectTimeoutMs: 1000,
  readTimeoutMs: 1000,
  maxRedirects: 3,
};
const settings = normalizeSourceSettings(raw);

describe('checkSourceUrl: allowed URLs', () => {
  it.each([
    'http://allowed.example.org/files',
    'http://allowed.example.org/files/',
    'http://allowed.example.org/files/a.mp4',
    'HTTP://ALLOWED.Example.ORG/files/a.mp4',
    'http://allowed.example.org:80/files/a.mp4',
    'http://allowed.example.org/%66iles/a.mp4',
    'http://allowed.example.org/files/a.mp4?signature=abc#t=1',
    'http://allowed.example.org/files/x/../a.mp4',
    'http://[0:0::1]:8080/media/a.mp4',
    'https://cdn.example.org/anything/at/all',
    'https://cdn.example.org:443/a',
    // A ";" outside the path is not a path parameter.
    'http://allowed.example.org/files/a.mp4?x=..;/admin',
    'http://allowed.example.org/files/a.mp4#..;/admin',
    'http://allowed.example.org/files/..a/a../...',
  ])('routes %s over http', (url) => {
    const decision = checkSourceUrl(url, settings);
    expect(decision).toMatchObject({ allowed: true, route: { kind: 'http' } });
  });

  it('passes on the parsed URL, never the raw string', () => {
    const decision = checkSourceUrl('HTTP://Allowed.Example.org:80/files/a.mp4', settings);
    expect(decision.allowed && decision.route.url.href).toBe(
      'http://allowed.example.org/files/a.mp4',
    );
  });

  it.each([
    ['http://opencast.example.org/static/mp/1/a%20b.mp4', '/srv/shared/mp/1/a b.mp4'],
    ['http://opencast.example.org/static/mp//x.mp4?cache=1', '/srv/shared/mp/x.mp4'],
    // A double-encoded dot segment is a literal file name once decoded once.
    ['http://opencast.example.org/static/%252e%252e/x', '/srv/shared/%2e%2e/x'],
    ['file:///srv/files/x/y.mp4', '/srv/files/x/y.mp4'],
    ['file://localhost/srv/files/x%20y.mp4', '/srv/files/x y.mp4'],
    // ";" has no special meaning on a file system; file URLs keep it as part of the name.
    ['file:///srv/files/a;b.mp4', '/srv/files/a;b.mp4'],
    ['file:///srv/files/..;/x', '/srv/files/..;/x'],
  ])('maps %s to the file %s', (url, path) => {
    expect(checkSourceUrl(url, settings)).toMatchObject({
      allowed: true,
      route: { kind: 'local', path },
    });
  });
});

describe('checkSourceUrl: hostile and invalid URLs', () => {
  const long = `http://allowed.example.org/files/${'a'.repeat(MAX_SOURCE_URL_LENGTH)}`;
  it.each([
    ['', /empty/],
    ['files/a.mp4', /absolute/],
    ['/files/a.mp4', /absolute/],
    ['//allowed.example.org/files/a.mp4', /absolute/],
    ['ftp://allowed.example.org/files/a.mp4', /scheme ftp:/],
    ['data:text/plain,hello', /scheme data:/],
    ['javascript:alert(1)', /scheme javascript:/],
    ['gopher://allowed.example.org/files/a', /scheme gopher:/],
    ['ws://allowed.example.org/files/a', /scheme ws:/],
    ['localhost:8080/files/a', /scheme/],
    ['http://', /malformed/],
    ['http://allowed.example.org:99999/files/a', /malformed/],
    ['http://user:pw@allowed.example.org/files/a.mp4', /user info/],
    ['http://allowed.example.org@evil.com/files/a.mp4', /user info/],
    ['http://allowed.example.org:80@evil.com/files/a.mp4', /user info/],
    ['http://allowed.example.org.evil.com/files/a.mp4', /allowed URL prefix/],
    ['http://evil.com#@allowed.example.org/files/a', /allowed URL prefix/],
    ['http://evil.com?@allowed.example.org/files/a', /allowed URL prefix/],
    ['http://allowed.example.org\\@evil.com/files/a', /allowed URL prefix/],
    ['http://allowed.example.org./files/a.mp4', /allowed URL prefix/],
    ['http://\u0430llowed.example.org/files/a.mp4', /allowed URL prefix/],
    ['http://allowed.example.org/filesystem/a.mp4', /allowed URL prefix/],
    ['http://allowed.example.org/Files/a.mp4', /allowed URL prefix/],
    ['http://allowed.example.org:8080/files/a.mp4', /allowed URL prefix/],
    ['https://allowed.example.org/files/a.mp4', /allowed URL prefix/],
    ['http://allowed.example.org/files/../admin', /allowed URL prefix/],
    ['http://allowed.example.org/files/%2e%2e/admin', /allowed URL prefix/],
    ['http://allowed.example.org/files/%2E%2e/%2e./admin', /allowed URL prefix/],
    ['http://allowed.example.org/files/..%2fadmin', /encoded/],
    ['http://allowed.example.org/files/%2E%2E%2Fadmin', /encoded/],
    ['http://allowed.example.org/files/a%5c..%5cb', /encoded/],
    ['http://allowed.example.org/files/a%00.mp4', /encoded/],
    ['http://[::1]/media/a.mp4', /allowed URL prefix/],
    ['http://[::1]:8080/mediaplayer', /allowed URL prefix/],
    ['http://[::ffff:127.0.0.1]:8080/media/a', /allowed URL prefix/],
    ['http://127.0.0.1/files/a', /allowed URL prefix/],
    ['http://2130706433/files/a', /allowed URL prefix/],
    ['http://169.254.169.254/latest/meta-data/', /allowed URL prefix/],
    [' http://allowed.example.org/files/a', /spaces or control/],
    ['http://allowed.example.org/files/a\n', /spaces or control/],
    ['http://allowed.example.org/fi\tles/a', /spaces or control/],
    ['http://allowed.example.org/files/a b', /spaces or control/],
    [long, /8 KiB/],
    ['http://opencast.example.org/static/..%2F..%2Fetc/passwd', /encoded/],
    ['http://opencast.example.org/static/%E0%A4%A', /malformed or dot segment/],
    ['http://opencast.example.org/staticfiles/x', /allowed URL prefix/],
    ['file:///etc/passwd', /outside the configured file roots/],
    ['file:///srv/files/../../etc/passwd', /outside the configured file roots/],
    ['file:///srv/files/%2e%2e/%2e%2e/etc/passwd', /outside the configured file roots/],
    ['file:///srv/filesystem/x', /outside the configured file roots/],
    ['file:///srv/files/%2Fetc%2Fpasswd', /encoded/],
    ['file://evil.com/srv/files/x', /must not name a host/],
    // Servlet containers read a segment up to its first ";" as the segment: "..;" is "..".
    ['http://allowed.example.org/files/..;/admin-ng/users', /dot segment with parameters/],
    ['http://allowed.example.org/files/.;x/a.mp4', /dot segment with parameters/],
    ['http://allowed.example.org/files/..;jsessionid=ABC/admin', /dot segment with parameters/],
    ['http://allowed.example.org/files/%2e%2e;/admin', /dot segment with parameters/],
    ['http://allowed.example.org/files/%2E.;/admin', /dot segment with parameters/],
    ['http://allowed.example.org/files/..%3B/admin', /dot segment with parameters/],
    ['http://allowed.example.org/files/%2e%2e%3bx=1/admin', /dot segment with parameters/],
    ['http://allowed.example.org/files/a/..;/..;/..;/etc', /dot segment with parameters/],
    ['http://allowed.example.org/files/..;', /dot segment with parameters/],
    ['http://allowed.example.org/files;/a.mp4', /path parameters/],
    ['http://allowed.example.org/files/a.mp4;jsessionid=1', /path parameters/],
    ['http://allowed.example.org/files/a..;b/x', /path parameters/],
    ['http://allowed.example.org/files/a%3Bb.mp4', /path parameters/],
    ['http://allowed.example.org/files/a%3bb.mp4', /path parameters/],
    ['http://allowed.example.org/files/...;/a', /path parameters/],
    ['https://cdn.example.org/..;/admin', /dot segment with parameters/],
    ['http://opencast.example.org/static/..;/x', /dot segment with parameters/],
    ['http://opencast.example.org/static/a;b.mp4', /path parameters/],
  ])('refuses %j', (url, reason) => {
    const decision = checkSourceUrl(url, settings);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed ? '' : decision.reason).toMatch(reason);
    expect(isAllowed(url, settings)).toBe(false);
  });

  it('measures the length after parsing too', () => {
    // 2000 characters become 18000 once percent-encoded by the parser.
    const url = `http://allowed.example.org/files/${'\u00e9'.repeat(2000)}`;
    expect(url.length).toBeLessThan(MAX_SOURCE_URL_LENGTH);
    expect(isAllowed(url, settings)).toBe(false);
  });

  it('names the setting that would allow a refused source', () => {
    const http = checkSourceUrl('http://media.example.org:8000/videos/a.mp4', settings);
    expect(http.allowed ? '' : http.reason).toMatch(
      /SOURCE_ALLOWED_PREFIXES .*\(e\.g\. http:\/\/media\.example\.org:8000\/ .*SOURCE_SHARED_STORAGE/,
    );
    const file = checkSourceUrl('file:///etc/passwd', settings);
    expect(file.allowed ? '' : file.reason).toMatch(/SOURCE_FILE_ROOTS/);
  });

  it('refuses every http(s) URL when no prefix is configured', () => {
    const none = normalizeSourceSettings({ ...raw, allowedUrlPrefixes: [], sharedStorage: [] });
    expect(isAllowed('http://allowed.example.org/files/a.mp4', none)).toBe(false);
  });
});

describe('isAllowed', () => {
  it('works with settings that were not normalised', () => {
    const loose = { ...raw, allowedUrlPrefixes: ['HTTP://Allowed.Example.org:80/files/'] };
    expect(isAllowed('http://allowed.example.org/files/a.mp4', loose)).toBe(true);
    expect(isAllowed('http://allowed.example.org/filesystem', loose)).toBe(false);
  });

  it('ignores invalid prefixes instead of matching everything', () => {
    const broken = { ...raw, allowedUrlPrefixes: ['not a url', ''], sharedStorage: [] };
    expect(isAllowed('http://allowed.example.org/files/a.mp4', broken)).toBe(false);
  });

  it('prefers the longest shared-storage prefix', () => {
    const nested = normalizeSourceSettings({
      ...raw,
      sharedStorage: [
        { urlPrefix: 'http://h.example/files', directory: '/srv/a' },
        { urlPrefix: 'http://h.example/files/deep', directory: '/srv/b' },
      ],
    });
    expect(checkSourceUrl('http://h.example/files/deep/x', nested)).toMatchObject({
      route: { kind: 'local', root: '/srv/b', path: '/srv/b/x' },
    });
    expect(checkSourceUrl('http://h.example/files/deeper/x', nested)).toMatchObject({
      route: { kind: 'local', root: '/srv/a', path: '/srv/a/deeper/x' },
    });
  });
});
