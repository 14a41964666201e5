import { describe, expect, it } from 'vitest';
import { findCredentials } from '../../../src/sources/find-credentials.js';
import { isAllowed } from '../../../src/sources/allow-list.js';
import { clusterPrefixes, withClusterSources } from '../../../src/sources/cluster-sources.js';
import {
  normalizeSourceSettings,
  type SourceSettings,
} from '../../../src/sources/source-settings.js';

const base: SourceSettings = {
  allowedUrlPrefixes: ['https://cdn.example.org/media/'],
  sharedStorage: [],
  fileRoots: [],
  credentials: [
    { urlPrefix: 'https://admin.example.org/files/', username: 'own', password: 'own-pw' },
  ],
  connectTimeoutMs: 1000,
  readTimeoutMs: 1000,
  maxRedirects: 3,
};
const account = { username: 'opencast_system_account', password: 'CHANGE_ME' };

describe('cluster sources', () => {
  it('makes /files/ and /assets/ prefixes of each host, skipping what is not an http(s) URL', () => {
    expect(clusterPrefixes(['https://Admin.example.org/', 'ftp://x', 'http://w:8080'])).toEqual({
      prefixes: [
        'https://admin.example.org/files/',
        'https://admin.example.org/assets/',
        'http://w:8080/files/',
        'http://w:8080/assets/',
      ],
      skipped: ['ftp://x'],
    });
  });

  it('allows those prefixes and gives the account to them only', () => {
    const { prefixes } = clusterPrefixes([
      'https://admin.example.org',
      'https://worker.example.org',
    ]);
    const settings = normalizeSourceSettings(withClusterSources(base, prefixes, account));
    const creds = (url: string) => findCredentials(new URL(url), settings)?.username;
    expect(isAllowed('https://worker.example.org/files/mediapackage/a.mp4', settings)).toBe(true);
    expect(isAllowed('https://worker.example.org/assets/assets/a.mp4', settings)).toBe(true);
    expect(isAllowed('https://worker.example.org/filesystem/a.mp4', settings)).toBe(false);
    expect(isAllowed('https://worker.example.org/admin-ng/a', settings)).toBe(false);
    expect(creds('https://worker.example.org/files/mediapackage/a.mp4')).toBe(account.username);
    expect(creds('http://worker.example.org/files/mediapackage/a.mp4')).toBeUndefined();
    expect(creds('https://cdn.example.org/media/a.mp4')).toBeUndefined();
    // The admin's own credentials for a prefix stay theirs.
    expect(creds('https://admin.example.org/files/a.mp4')).toBe('own');
  });

  it('without an account allows the prefixes but sends no credentials', () => {
    const { prefixes } = clusterPrefixes(['https://worker.example.org']);
    const settings = normalizeSourceSettings(withClusterSources(base, prefixes, undefined));
    expect(isAllowed('https://worker.example.org/files/a.mp4', settings)).toBe(true);
    expect(
      findCredentials(new URL('https://worker.example.org/files/a.mp4'), settings),
    ).toBeUndefined();
  });
});
