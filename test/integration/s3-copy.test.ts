/**
 * Server-side copy (issue 9) through the real stack: HTTP -> RabbitMQ -> worker -> S3.
 * Sources that are objects of the store (`s3://`, path-style endpoint URLs) are copied
 * inside S3, never fetched; other buckets and keys outside the allowed prefix are refused
 * before anything is published; a failed run removes the copies it created and leaves an
 * object that existed before.
 */
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../src/opencast/element-xml.js';
import { readFixture } from '../helpers/fixtures.js';
import { postForm } from '../helpers/http.js';
import { uniqueBucketName } from '../helpers/s3.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

const sourceBucket = uniqueBucketName('src');
const otherBucket = uniqueBucketName('other');
let stack: TestStack;
const video = randomBytes(2 * 1024 * 1024 + 5);

function mediapackage(id: string, tracks: Record<string, string>): string {
  const elements = Object.entries(tracks)
    .map(
      ([trackId, url]) =>
        `<track id="${trackId}" type="presenter/delivery"><mimetype>video/mp4</mimetype>` +
        `<url>${url.replaceAll('&', '&amp;')}</url></track>`,
    )
    .join('');
  return `<mediapackage xmlns="http://mediapackage.opencastproject.org" id="${id}"><media>${elements}</media></mediapackage>`;
}

function distribute(id: string, tracks: Record<string, string>, sync = true): Promise<Response> {
  return postForm(`${stack.url}/distribution/s3${sync ? '/distributesync' : ''}`, {
    channelId: 'engage-player',
    mediapackage: mediapackage(id, tracks),
    elementId: JSON.stringify(Object.keys(tracks)),
    checkAvailability: 'false',
  });
}

const keyOf = (mp: string, element: string, file: string) =>
  `mh_default_org/engage-player/${mp}/${element}/${file}`;

async function put(bucket: string, key: string, body: Buffer | string): Promise<void> {
  await stack.s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

beforeAll(async () => {
  stack = await startTestStack({ SOURCE_S3_BUCKETS: `${sourceBucket}/ingest/` });
  await stack.s3.createBucket(sourceBucket);
  await stack.s3.createBucket(otherBucket);
  await put(sourceBucket, 'ingest/video.mp4', video);
  await put(sourceBucket, 'ingest/sub dir/clip.mp4', 'clip');
  await put(sourceBucket, 'private/secret.mp4', 'secret');
  await put(otherBucket, 'ingest/video.mp4', 'other');
  const hls = 'distribution-service-download/';
  await put(sourceBucket, 'ingest/hls/master.m3u8', readFixture(`${hls}master.m3u8`));
  await put(sourceBucket, 'ingest/hls/variant_0.m3u8', readFixture(`${hls}variant_0.m3u8`));
  await put(sourceBucket, 'ingest/hls/file_0.mp4', video);
}, 60_000);

afterAll(async () => {
  await (stack as TestStack | undefined)?.close();
});

describe('server-side copy', () => {
  it('copies an s3:// source inside S3, with the run marks and the element mime type', async () => {
    const res = await distribute('mp-copy', { t1: `s3://${sourceBucket}/ingest/video.mp4` });
    expect(res.status).toBe(200);
    const [element] = parseElementArray(await res.text());
    const key = keyOf('mp-copy', 't1', 'video.mp4');
    expect(element?.url).toBe(`${stack.baseUrl}${key}`);
    expect((await stack.s3.readObject(stack.bucket, key))?.equals(video)).toBe(true);
    const head = await stack.s3.client.send(
      new HeadObjectCommand({ Bucket: stack.bucket, Key: key }),
    );
    expect(head.ContentType).toBe('video/mp4');
    expect(head.Metadata).toMatchObject({ 'ocs3-job': res.headers.get('X-Job-Id') });
    expect(head.Metadata?.['ocs3-run']).toMatch(/./);
    expect([...stack.sources.hits.values()]).toEqual([]);
  });

  it('copies a path-style URL of the endpoint, decoding its escapes once', async () => {
    const url = `${stack.s3.endpoint}/${sourceBucket}/ingest/sub%20dir/clip.mp4`;
    const res = await distribute('mp-path', { t1: url });
    expect(res.status).toBe(200);
    const copied = await stack.s3.readObject(stack.bucket, keyOf('mp-path', 't1', 'clip.mp4'));
    expect(copied?.toString()).toBe('clip');
  });

  it.each([
    ['another bucket', `s3://${otherBucket}/ingest/video.mp4`],
    ['a key outside the allowed prefix', `s3://${sourceBucket}/private/secret.mp4`],
    ['a traversal out of the prefix', `s3://${sourceBucket}/ingest/../private/secret.mp4`],
    ['an encoded traversal', `s3://${sourceBucket}/ingest/%2e%2e/private/secret.mp4`],
    ['an encoded slash', `s3://${sourceBucket}/ingest%2Fvideo.mp4`],
    ['a malformed s3 URL', `s3://${sourceBucket}`],
    ['a query', `s3://${sourceBucket}/ingest/video.mp4?versionId=1`],
  ])('refuses %s with 400 before anything is published', async (_name, url) => {
    const mp = `mp-bad-${randomBytes(3).toString('hex')}`;
    const res = await distribute(mp, { t1: url }, false);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toMatch(
      /SOURCE_FORBIDDEN|INVALID_KEY/,
    );
    expect(await stack.s3.listKeys(stack.bucket, `mh_default_org/engage-player/${mp}/`)).toEqual(
      [],
    );
  });

  it('reports a missing source object and writes nothing', async () => {
    const res = await distribute('mp-missing', { t1: `s3://${sourceBucket}/ingest/missing.mp4` });
    expect(res.status).not.toBe(200);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SOURCE_NOT_FOUND');
    expect(
      await stack.s3.listKeys(stack.bucket, 'mh_default_org/engage-player/mp-missing/'),
    ).toEqual([]);
  });

  it('rolls back the copies a failed run created, keeping what existed before', async () => {
    const before = keyOf('mp-roll', 't0', 'video.mp4');
    await put(stack.bucket, before, 'published earlier');
    const res = await distribute('mp-roll', {
      t0: `s3://${sourceBucket}/ingest/video.mp4`,
      t1: `s3://${sourceBucket}/ingest/sub%20dir/clip.mp4`,
      t2: `${stack.sources.baseUrl}gone.mp4`,
    });
    expect(res.status).not.toBe(200);
    // t0 existed before the run: never claimed, so it stays. Elements run side by side, so
    // t2's failure may stop t0's copy before or after it overwrote the object.
    const kept = await stack.s3.readObject(stack.bucket, before);
    expect(kept).toBeDefined();
    expect([
      video.toString('base64'),
      Buffer.from('published earlier').toString('base64'),
    ]).toContain(kept?.toString('base64'));
    // t1 was created by the copy: the rollback removed it.
    expect(await stack.s3.readObject(stack.bucket, keyOf('mp-roll', 't1', 'clip.mp4'))).toBe(
      undefined,
    );
  });

  it('reads HLS playlists from the store to rewrite them and copies their segments', async () => {
    const mp = 'd51f9d4e-b5e7-41e0-8640-0d1f43b2fed0';
    const mediapackage = readFixture(
      'distribution-service-download/hls_1_var_mediapackage.xml',
    ).replace(
      /<(ns2:)?url>([^<:]+)<\/(ns2:)?url>/g,
      `<ns2:url>s3://${sourceBucket}/ingest/hls/$2</ns2:url>`,
    );
    const res = await postForm(`${stack.url}/distribution/s3/distributesync`, {
      channelId: 'hls-copy',
      mediapackage,
      elementId: '["master","variant","segments"]',
      checkAvailability: 'false',
    });
    expect(res.status).toBe(200);
    const read = async (key: string) =>
      stack.s3.readObject(stack.bucket, `mh_default_org/hls-copy/${mp}/${key}`);
    expect((await read('master/master.m3u8'))?.toString().split('\n')).toContain(
      '../variant/variant_0.m3u8',
    );
    expect((await read('variant/variant_0.m3u8'))?.toString()).toContain('../segments/file_0.mp4');
    expect((await read('segments/file_0.mp4'))?.equals(video)).toBe(true);
    expect(
      ['master.m3u8', 'variant_0.m3u8', 'file_0.mp4'].filter((n) => stack.sources.hits.has(n)),
    ).toEqual([]);
  });
});
