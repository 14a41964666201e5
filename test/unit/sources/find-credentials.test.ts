import { describe, expect, it } from 'vitest';
import { findCredentials } from '../../../src/sources/find-credentials.js';
import {
  normalizeSourceSettings,
  type SourceSettings,
} from '../../../src/sources/source-settings.js';

const settings: SourceSettings = normalizeSourceSettings({
  allowedUrlPrefixes: [],
  sharedStorage: [],
  fileRoots: [],
  credentials: [
    { urlPrefix: 'https://oc.example.org/files', username: 'outer', password: 'p' },
    { urlPrefix: 'https://oc.example.org/files/deep', username: 'inner', password: 'p' },
  ],
  connectTimeoutMs: 1000,
  readTimeoutMs: 1000,
  maxRedirects: 0,
});

describe('findCredentials', () => {
  it.each([
    ['https://oc.example.org/files/a.mp4', 'outer'],
    ['https://OC.example.org:443/%66iles/a.mp4', 'outer'],
    ['https://oc.example.org/files/deep/a.mp4', 'inner'],
    ['https://oc.example.org/files/deeper/a.mp4', 'outer'],
    // The scheme is part of the prefix: https credentials never go to http.
    ['http://oc.example.org/files/a.mp4', undefined],
    ['https://oc.example.org/filesystem/a.mp4', undefined],
    ['https://oc.example.org:8443/files/a.mp4', undefined],
    ['https://evil.example.org/files/a.mp4', undefined],
  ])('finds the credentials of %s: %s', (url, username) => {
    expect(findCredentials(new URL(url), settings)?.username).toBe(username);
  });

  it('fills in the defaults when normalised', () => {
    expect(findCredentials(new URL('https://oc.example.org/files/x'), settings)).toEqual({
      urlPrefix: 'https://oc.example.org/files',
      username: 'outer',
      password: 'p',
      schemes: ['digest'],
      allowBasicOverHttp: false,
    });
  });
});
