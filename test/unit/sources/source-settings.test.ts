import { describe, expect, it } from 'vitest';
import {
  normalizeSourceSettings,
  type SourceSettings,
} from '../../../src/sources/source-settings.js';
import { errorOf as appErrorOf } from '../../helpers/app-error.js';

const valid: SourceSettings = {
  allowedUrlPrefixes: ['HTTP://Files.Example.ORG:80/files/', 'https://cdn.example.org'],
  sharedStorage: [{ urlPrefix: 'http://oc.example.org/static', directory: '/srv/a/../shared/' }],
  fileRoots: ['/srv/files/'],
  credentials: [{ urlPrefix: 'https://oc.example.org:443/files', username: 'u', password: 'p w' }],
  connectTimeoutMs: 5000,
  readTimeoutMs: 30000,
  maxRedirects: 5,
};

const cred = { urlPrefix: 'http://a', username: 'u', password: 'pass-not-shown' };

const errorOf = (settings: SourceSettings) => appErrorOf(() => normalizeSourceSettings(settings));

describe('normalizeSourceSettings', () => {
  it('canonicalises prefixes and directories', () => {
    const settings = normalizeSourceSettings(valid);
    expect(settings.allowedUrlPrefixes).toEqual([
      'http://files.example.org/files',
      'https://cdn.example.org/',
    ]);
    expect(settings.sharedStorage).toEqual([
      { urlPrefix: 'http://oc.example.org/static', directory: '/srv/shared' },
    ]);
    expect(settings.fileRoots).toEqual(['/srv/files']);
    expect(settings.credentials[0]?.urlPrefix).toBe('https://oc.example.org/files');
    expect(settings.credentials[0]?.password).toBe('p w');
  });

  it('returns a frozen copy', () => {
    const settings = normalizeSourceSettings(valid);
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.allowedUrlPrefixes)).toBe(true);
    expect(Object.isFrozen(settings.sharedStorage[0])).toBe(true);
  });

  it('accepts empty lists and zero redirects', () => {
    const settings = normalizeSourceSettings({
      ...valid,
      allowedUrlPrefixes: [],
      sharedStorage: [],
      fileRoots: [],
      credentials: [],
      maxRedirects: 0,
    });
    expect(settings.maxRedirects).toBe(0);
  });

  it.each([
    [{ allowedUrlPrefixes: ['/files'] }, /allowedUrlPrefixes\[0\]/],
    [{ allowedUrlPrefixes: ['ok', 'http://a/'] }, /allowedUrlPrefixes\[0\]/],
    [{ allowedUrlPrefixes: ['http://a/', 'ftp://a/'] }, /allowedUrlPrefixes\[1\]/],
    [{ allowedUrlPrefixes: ['file:///srv'] }, /absolute http\(s\) URL/],
    [{ allowedUrlPrefixes: ['http://u:p@a/files'] }, /user info/],
    [{ allowedUrlPrefixes: ['http://a/files?x=1'] }, /query/],
    [{ allowedUrlPrefixes: ['http://a/files#x'] }, /fragment/],
    [{ allowedUrlPrefixes: [''] }, /allowedUrlPrefixes\[0\]/],
    [{ sharedStorage: [{ urlPrefix: 'http://a/x', directory: 'relative/dir' }] }, /absolute path/],
    [{ sharedStorage: [{ urlPrefix: 'http://a/x', directory: '/srv/..' }] }, /filesystem root/],
    [
      { sharedStorage: [{ urlPrefix: 'nope', directory: '/srv' }] },
      /sharedStorage\[0\]\.urlPrefix/,
    ],
    [{ fileRoots: ['/'] }, /fileRoots\[0\]: must not be the filesystem root/],
    [{ fileRoots: ['/srv/a\0b'] }, /absolute path/],
    [{ credentials: [{ urlPrefix: 'http://a/', username: '', password: 'p' }] }, /username/],
    [{ credentials: [{ urlPrefix: 'http://a/', username: 'a:b', password: 'p' }] }, /username/],
    [
      { credentials: [{ urlPrefix: 'http://a/', username: 'u', password: 'p\r\nX: y' }] },
      /control/,
    ],
    [
      { credentials: [{ urlPrefix: 'a', username: 'u', password: 'p' }] },
      /credentials\[0\]\.urlPrefix/,
    ],
    [{ credentials: [{ ...cred, schemes: [] }] }, /credentials\[0\]\.schemes: must be a non-empty/],
    [{ credentials: [{ ...cred, schemes: ['ntlm'] }] }, /credentials\[0\]\.schemes/],
    [{ credentials: [{ ...cred, schemes: ['Basic'] }] }, /credentials\[0\]\.schemes/],
    [{ credentials: [{ ...cred, schemes: 'basic' }] }, /credentials\[0\]\.schemes/],
    [{ credentials: [{ ...cred, schemes: null }] }, /credentials\[0\]\.schemes/],
    [{ credentials: [{ ...cred, allowBasicOverHttp: 'true' }] }, /allowBasicOverHttp/],
    [{ credentials: [{ ...cred, allowBasicOverHttp: 1 }] }, /allowBasicOverHttp/],
    [{ connectTimeoutMs: 0 }, /connectTimeoutMs/],
    [{ connectTimeoutMs: Number.NaN }, /connectTimeoutMs/],
    [{ readTimeoutMs: 1.5 }, /readTimeoutMs/],
    [{ readTimeoutMs: 2 ** 31 }, /readTimeoutMs/],
    [{ maxRedirects: -1 }, /maxRedirects/],
    [{ maxRedirects: 21 }, /maxRedirects/],
  ] as [Partial<SourceSettings>, RegExp][])('refuses %j', (change, message) => {
    const error = errorOf({ ...valid, ...change });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(cred.password);
  });

  it('enables only Digest, over https and http, unless told otherwise', () => {
    const [credential] = normalizeSourceSettings(valid).credentials;
    expect(credential).toMatchObject({ schemes: ['digest'], allowBasicOverHttp: false });
    expect(Object.isFrozen(credential?.schemes)).toBe(true);
  });

  it('keeps explicit schemes without duplicates and allowBasicOverHttp', () => {
    const settings = normalizeSourceSettings({
      ...valid,
      credentials: [{ ...cred, schemes: ['basic', 'digest', 'basic'], allowBasicOverHttp: true }],
    });
    expect(settings.credentials[0]).toEqual({
      urlPrefix: 'http://a/',
      username: 'u',
      password: cred.password,
      schemes: ['basic', 'digest'],
      allowBasicOverHttp: true,
    });
  });
});
