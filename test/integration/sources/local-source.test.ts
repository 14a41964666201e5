import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceFetcher } from '../../../src/distribution/ports.js';
import { AppError } from '../../../src/errors.js';
import { createSourceFetcher } from '../../../src/sources/source-fetcher.js';
import { failure } from '../../helpers/app-error.js';

const PREFIX = 'http://opencast.test/files';
let tmp: string;
let fetcher: SourceFetcher;
const video = randomBytes(200_000);

beforeAll(async () => {
  // realpath: on some systems the temp directory itself is reached through a link.
  tmp = execFileSync('realpath', [await mkdtemp(join(tmpdir(), 'sources-'))])
    .toString()
    .trim();
  const shared = join(tmp, 'shared');
  await mkdir(join(shared, 'mp', 'el'), { recursive: true });
  await mkdir(join(tmp, 'outside'));
  await mkdir(join(tmp, 'roots', 'a'), { recursive: true });
  await writeFile(join(shared, 'mp', 'el', 'video file.mp4'), video);
  await writeFile(join(shared, 'mp', 'el', 'empty.vtt'), '');
  await writeFile(join(tmp, 'outside', 'secret.txt'), 'secret');
  await writeFile(join(tmp, 'roots', 'a', 'b.xml'), '<catalog/>');
  await symlink(join(tmp, 'outside', 'secret.txt'), join(shared, 'mp', 'escape.txt'));
  await symlink(join(tmp, 'outside'), join(shared, 'mp', 'escape-dir'));
  await symlink(join('el', 'video file.mp4'), join(shared, 'mp', 'alias.mp4'));
  await symlink(join(tmp, 'outside', 'secret.txt'), join(tmp, 'roots', 'a', 'escape.txt'));
  execFileSync('mkfifo', [join(shared, 'mp', 'fifo')]);
  fetcher = createSourceFetcher({
    allowedUrlPrefixes: [],
    sharedStorage: [
      { urlPrefix: PREFIX, directory: shared },
      { urlPrefix: 'http://opencast.test/gone', directory: join(tmp, 'not-mounted') },
    ],
    fileRoots: [join(tmp, 'roots')],
    credentials: [],
    connectTimeoutMs: 500,
    readTimeoutMs: 300,
    maxRedirects: 3,
  });
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('shared-storage sources', () => {
  it('reads a mapped file with its size', async () => {
    const source = await fetcher.open(`${PREFIX}/mp/el/video%20file.mp4`);
    expect(source.contentLength).toBe(video.length);
    expect(source.contentType).toBeUndefined();
    expect((await buffer(source.body)).equals(video)).toBe(true);
  });

  it('reads an empty file', async () => {
    const source = await fetcher.open(`${PREFIX}/mp/el/empty.vtt`);
    expect(source.contentLength).toBe(0);
    expect((await buffer(source.body)).length).toBe(0);
  });

  it('follows a symlink that stays inside the directory', async () => {
    const source = await fetcher.open(`${PREFIX}/mp/alias.mp4`);
    expect((await buffer(source.body)).equals(video)).toBe(true);
  });

  it.each([
    'mp/el/missing.mp4',
    'mp/nothing/x',
    'mp/el/video%20file.mp4/x',
    `${'a'.repeat(300)}.mp4`,
  ])('reports %s as SOURCE_NOT_FOUND', async (path) => {
    expect(await failure(fetcher.open(`${PREFIX}/${path}`))).toMatchObject({
      code: 'SOURCE_NOT_FOUND',
    });
  });

  it.each(['mp', 'mp/el/', ''])('refuses the directory %j as not a regular file', async (path) => {
    const error = await failure(fetcher.open(`${PREFIX}/${path}`));
    expect(error).toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });

  it('refuses a FIFO without hanging', async () => {
    const error = await failure(fetcher.open(`${PREFIX}/mp/fifo`));
    expect(error).toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    expect(error.message).toMatch(/not a regular file/);
  });

  it.each([
    `${PREFIX}/..%2Foutside/secret.txt`,
    `${PREFIX}/mp/%2e%2e%2F%2e%2e%2Foutside/secret.txt`,
    `${PREFIX}/%2e%2e/outside/secret.txt`,
    `${PREFIX}/../outside/secret.txt`,
    `${PREFIX}/mp/%5c..%5c..%5coutside%5csecret.txt`,
  ])('refuses the traversal %s before any I/O', async (url) => {
    expect(() => {
      fetcher.assertAllowed(url);
    }).toThrow(/not allowed/);
    expect(await failure(fetcher.open(url))).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
  });

  it.each(['mp/escape.txt', 'mp/escape-dir/secret.txt'])(
    'refuses the symlink %s that leads out of the directory',
    async (path) => {
      fetcher.assertAllowed(`${PREFIX}/${path}`);
      const error = await failure(fetcher.open(`${PREFIX}/${path}`));
      expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
      expect(error.message).toMatch(/outside its root/);
    },
  );

  it('reports a missing shared directory as SOURCE_UNAVAILABLE (a mount may come back)', async () => {
    const error = await failure(fetcher.open('http://opencast.test/gone/x.mp4'));
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', retryable: true });
  });

  it('fails the stream when the signal aborts', async () => {
    const controller = new AbortController();
    const source = await fetcher.open(`${PREFIX}/mp/el/video%20file.mp4`, controller.signal);
    controller.abort();
    const error = await failure(buffer(source.body));
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
  });
});

describe('file: sources', () => {
  it('reads a file under a root', async () => {
    const source = await fetcher.open(pathToFileURL(join(tmp, 'roots', 'a', 'b.xml')).href);
    expect(source.contentLength).toBe(10);
    expect((await buffer(source.body)).toString()).toBe('<catalog/>');
  });

  it('refuses a file outside the roots before any I/O', () => {
    const url = pathToFileURL(join(tmp, 'outside', 'secret.txt')).href;
    expect(() => {
      fetcher.assertAllowed(url);
    }).toThrow(/outside the configured file roots/);
    expect(() => {
      fetcher.assertAllowed(`file://${tmp}/roots/../outside/secret.txt`);
    }).toThrow(AppError);
  });

  it('refuses a symlink that leads out of the root', async () => {
    const url = pathToFileURL(join(tmp, 'roots', 'a', 'escape.txt')).href;
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
  });

  it('reports a missing file as SOURCE_NOT_FOUND', async () => {
    const url = pathToFileURL(join(tmp, 'roots', 'a', 'missing.xml')).href;
    expect(await failure(fetcher.open(url))).toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});
