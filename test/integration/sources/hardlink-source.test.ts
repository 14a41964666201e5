import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSourceFetcher } from '../../../src/sources/source-fetcher.js';
import type { SourceSettings } from '../../../src/sources/source-settings.js';
import { failure } from '../../helpers/app-error.js';

// Issue 8 item 12: a hard link inside a `file:` root published a file from outside it.
let tmp: string;
const secret = randomBytes(1000);
const own = randomBytes(1000);

function settings(extra: Partial<SourceSettings> = {}): SourceSettings {
  return {
    allowedUrlPrefixes: [],
    sharedStorage: [{ urlPrefix: 'http://opencast.test/files', directory: join(tmp, 'shared') }],
    fileRoots: [join(tmp, 'root')],
    credentials: [],
    connectTimeoutMs: 500,
    readTimeoutMs: 1000,
    maxRedirects: 0,
    ...extra,
  };
}

beforeAll(async () => {
  tmp = await realpath(await mkdtemp(join(tmpdir(), 'hardlink-')));
  await mkdir(join(tmp, 'outside'));
  await mkdir(join(tmp, 'root'));
  await mkdir(join(tmp, 'shared'));
  await writeFile(join(tmp, 'outside', 'secret.bin'), secret);
  await writeFile(join(tmp, 'root', 'own.bin'), own);
  // Same file system (one temporary folder), so the links can be made.
  await link(join(tmp, 'outside', 'secret.bin'), join(tmp, 'root', 'alias.bin'));
  await link(join(tmp, 'outside', 'secret.bin'), join(tmp, 'shared', 'workspace-copy.bin'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('hard links in file: roots', () => {
  it('refuses a file with a second hard link, by default', async () => {
    const fetcher = createSourceFetcher(settings());
    const url = pathToFileURL(join(tmp, 'root', 'alias.bin')).href;
    const error = await failure(fetcher.open(url));
    expect(error.code).toBe('SOURCE_FORBIDDEN');
    expect(error.message).toMatch(/has 3 hard links/);
  });

  it('still reads a file with one link', async () => {
    const fetcher = createSourceFetcher(settings());
    const source = await fetcher.open(pathToFileURL(join(tmp, 'root', 'own.bin')).href);
    expect((await buffer(source.body)).equals(own)).toBe(true);
  });

  it('reads a hard-linked file when SOURCE_FILE_ALLOW_HARDLINKS allows it', async () => {
    const fetcher = createSourceFetcher(settings({ allowHardlinks: true }));
    const source = await fetcher.open(pathToFileURL(join(tmp, 'root', 'alias.bin')).href);
    expect((await buffer(source.body)).equals(secret)).toBe(true);
  });

  it("keeps reading hard links in shared storage, where Opencast's workspace makes them", async () => {
    const fetcher = createSourceFetcher(settings());
    const source = await fetcher.open('http://opencast.test/files/workspace-copy.bin');
    expect((await buffer(source.body)).equals(secret)).toBe(true);
  });
});
