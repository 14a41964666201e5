/**
 * HLS end to end with Opencast's download-module fixtures (wire spec §6.4): playlists are
 * rewritten so that every reference resolves, from the published URL, to a published object.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseElementArray } from '../../src/opencast/element-xml.js';
import { readFixture } from '../helpers/fixtures.js';
import { postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

const MP = 'd51f9d4e-b5e7-41e0-8640-0d1f43b2fed0';
let stack: TestStack | undefined;
const segment = randomBytes(64 * 1024);

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

function distributeSync(elementId: string, channelId = 'engage-player'): Promise<Response> {
  const mediapackage = readFixture(
    'distribution-service-download/hls_1_var_mediapackage.xml',
  ).replace(
    /<(ns2:)?url>([^<:]+)<\/(ns2:)?url>/g,
    `<ns2:url>${live().sources.baseUrl}$2</ns2:url>`,
  );
  return postForm(`${live().url}/distribution/s3/distributesync`, {
    channelId,
    mediapackage,
    elementId,
    checkAvailability: 'false',
  });
}

beforeAll(async () => {
  stack = await startTestStack();
  stack.sources.set('master.m3u8', readFixture('distribution-service-download/master.m3u8'));
  stack.sources.set('variant_0.m3u8', readFixture('distribution-service-download/variant_0.m3u8'));
  stack.sources.set('file_0.mp4', segment);
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe('HLS distribution', () => {
  it('rewrites master and variant so every reference reaches a published object', async () => {
    const res = await distributeSync('["master","variant","segments"]');
    expect(res.status).toBe(200);
    const elements = new Map(parseElementArray(await res.text()).map((e) => [e.id, e]));
    const base = `${live().baseUrl}mh_default_org/engage-player/${MP}/`;
    expect(elements.get('master')?.url).toBe(`${base}master/master.m3u8`);
    expect(elements.get('master')?.master).toBe(true);
    expect(elements.get('master')?.logicalName).toBe('../master/master.m3u8');
    expect(elements.get('variant')?.master).toBe(false);
    expect(elements.get('variant')?.logicalName).toBe('../variant/variant_0.m3u8');
    expect(elements.get('segments')?.logicalName).toBe('file_0.mp4');

    const read = async (key: string) =>
      (
        await live().s3.readObject(live().bucket, `mh_default_org/engage-player/${MP}/${key}`)
      )?.toString();
    const master = await read('master/master.m3u8');
    const variant = await read('variant/variant_0.m3u8');
    expect(master?.split('\n')).toContain('../variant/variant_0.m3u8');
    expect(variant).toContain('#EXT-X-MAP:URI="../segments/file_0.mp4",BYTERANGE="1319@0"');
    expect(variant?.split('\n').filter((l) => l === '../segments/file_0.mp4')).toHaveLength(2);

    // Follow the references from the published URLs, as a player does.
    const variantUrl = new URL('../variant/variant_0.m3u8', elements.get('master')?.url);
    const segmentUrl = new URL('../segments/file_0.mp4', variantUrl);
    const fetched = await fetch(segmentUrl);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(segment)).toBe(true);
  });

  it('refuses a lone playlist before publishing anything, as Opencast does', async () => {
    const res = await distributeSync('["variant"]', 'lone');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Not enough files in a playlist');
    expect(await live().s3.listKeys(live().bucket, `mh_default_org/lone/`)).toEqual([]);
  });
});
