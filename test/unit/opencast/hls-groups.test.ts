import { describe, expect, it } from 'vitest';
import { errorOf } from '../../helpers/app-error.js';
import { parseElement } from '../../../src/opencast/element-xml.js';
import { planHlsGroups } from '../../../src/opencast/hls-groups.js';
import { rewriteHls } from '../../../src/opencast/hls.js';
import { findElement, parseMediaPackage } from '../../../src/opencast/mediapackage.js';
import type { MediaPackageElement } from '../../../src/opencast/model.js';
import { readFixture } from '../../helpers/fixtures.js';

const NS = 'http://mediapackage.opencastproject.org';

function el(
  id: string,
  url: string,
  flavor: string | null = 'presenter/delivery',
  options: { type?: 'track' | 'catalog'; logicalName?: string } = {},
): MediaPackageElement {
  const type = options.type ?? 'track';
  const flavorAttr = flavor === null ? '' : ` type="${flavor}"`;
  const logical =
    options.logicalName === undefined ? '' : `<logicalname>${options.logicalName}</logicalname>`;
  return parseElement(
    `<${type} id="${id}"${flavorAttr} xmlns="${NS}"><url>${url}</url>${logical}</${type}>`,
  );
}

const ids = (elements: readonly MediaPackageElement[]) => elements.map((e) => e.id);

describe('planHlsGroups', () => {
  it('leaves a request without playlists entirely unchanged', () => {
    const elements = [el('a', 'a.mp4'), el('b', 'b.mp4', 'presenter/source'), el('c', 'c.xml')];
    const plan = planHlsGroups(elements);
    expect(plan.groups).toEqual([]);
    expect(plan.playlists).toEqual([]);
    expect(plan.unchanged).toEqual(elements);
  });

  it('groups the S3 fixture: the playlist is fetched, everything else goes as it is', () => {
    const mp = parseMediaPackage(readFixture('hls_mediapackage.xml'));
    const requested = ['presenter-mp4', 'presenter-m3u8', 'track-1', 'episode-dc'].map((id) =>
      findElement(mp, id)!,
    );
    const plan = planHlsGroups(requested);
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]!.flavor).toBe('presenter/delivery');
    expect(ids(plan.groups[0]!.tracks)).toEqual(['presenter-mp4', 'presenter-m3u8']);
    expect(ids(plan.playlists)).toEqual(['presenter-m3u8']);
    // track-1 is presenter/source without a playlist: a normal group.
    expect(ids(plan.unchanged)).toEqual(['presenter-mp4', 'track-1', 'episode-dc']);
  });

  it('keeps several HLS groups apart and in request order', () => {
    const plan = planHlsGroups([
      el('s1', 's1.mp4', 'slides/delivery'),
      el('p1', 'p1.mp4'),
      el('p-list', 'p.m3u8'),
      el('s-list', 's.m3u8', 'slides/delivery'),
      el('nf-list', 'n.m3u8', null),
      el('nf', 'n.mp4', null),
    ]);
    expect(plan.groups.map((g) => [g.flavor, ids(g.tracks)])).toEqual([
      ['slides/delivery', ['s1', 's-list']],
      ['presenter/delivery', ['p1', 'p-list']],
      [undefined, ['nf-list', 'nf']],
    ]);
    expect(ids(plan.playlists)).toEqual(['s-list', 'p-list', 'nf-list']);
    expect(ids(plan.unchanged)).toEqual(['s1', 'p1', 'nf']);
  });

  it('does not group a catalog with the tracks of its flavor', () => {
    const error = errorOf(() =>
      planHlsGroups([
        el('list', 'a.m3u8'),
        el('cat', 'a.mp4', 'presenter/delivery', { type: 'catalog' }),
      ]),
    );
    expect(error.message).toMatch(/^Not enough files in a playlist/);
  });

  it('counts an element requested twice once', () => {
    const list = el('list', 'a.m3u8');
    expect(() => planHlsGroups([list, list])).toThrow(/^Not enough files in a playlist/);
    const plan = planHlsGroups([list, el('m', 'a.mp4'), list]);
    expect(ids(plan.playlists)).toEqual(['list']);
    expect(ids(plan.unchanged)).toEqual(['m']);
  });

  it("refuses a lone playlist with Opencast's message", () => {
    const error = errorOf(() =>
      planHlsGroups([el('list', 'a.m3u8'), el('x', 'x.mp4', 'other/flavor')]),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'Not enough files in a playlist: flavor presenter/delivery has 1 track; HLS needs a playlist and its media',
    );
  });

  it("refuses a group of playlists only with Opencast's message", () => {
    const error = errorOf(() => planHlsGroups([el('m', 'master.m3u8'), el('v', 'v.m3u8')]));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(
      /^No playable media segment in mediapackage: flavor presenter\/delivery/,
    );
  });

  it('refuses a playlist that shares its logical name with another track', () => {
    const error = errorOf(() =>
      planHlsGroups([
        el('list', 'http://h/M/list/index.m3u8'),
        el('other', 'http://h/M/other/index.m3u8'),
        el('r1', 'http://h/M/r1/segment.mp4'),
      ]),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      'Tracks list and other of flavor presenter/delivery share the logical name "index.m3u8", and one is a playlist; playlist references would be ambiguous',
    );
  });

  it('accepts media tracks sharing a name unless a playlist refers to it', () => {
    // Same file name in two element folders, no logicalname: Opencast's HashMap keeps one.
    const tracks = [
      el('list', 'http://h/M/list/index.m3u8'),
      el('r1', 'http://h/M/r1/segment.mp4'),
      el('r2', 'http://h/M/r2/segment.mp4'),
      el('s', 'http://h/M/s/video.mp4'),
    ];
    const plan = planHlsGroups(tracks);
    const unreferenced = rewriteHls(plan, new Map([['list', '#EXTM3U\nvideo.mp4\n']]));
    expect(unreferenced.get('list')?.text).toBe('#EXTM3U\n../s/video.mp4\n');

    const error = errorOf(() => rewriteHls(plan, new Map([['list', '#EXTM3U\nsegment.mp4\n']])));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      'Playlist reference "segment.mp4" matches tracks r1, r2, which share that logical name',
    );
  });

  it('refuses an element whose id or URL cannot make a reference', () => {
    expect(
      errorOf(() => planHlsGroups([el('list', 'a.m3u8'), el('m', 'http://h/dir/')])).code,
    ).toBe('INVALID_KEY');
  });
});
