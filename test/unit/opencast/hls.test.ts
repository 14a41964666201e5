/**
 * The playlist rewrite against the worked examples of wire spec §6.4 (Opencast's
 * DownloadDistributionServiceImplTest.testHLSDistribution) and §6.5 (the S3 module's own
 * fixture), plus hostile input.
 */
import { describe, expect, it } from 'vitest';
import { distributionUrl, objectKey } from '../../../src/distribution/object-key.js';
import { errorOf } from '../../helpers/app-error.js';
import { parseElement, serializeElement, withUrl } from '../../../src/opencast/element-xml.js';
import { planHlsGroups } from '../../../src/opencast/hls-groups.js';
import { rewriteHls, rewritePlaylists } from '../../../src/opencast/hls.js';
import { findElement, parseMediaPackage } from '../../../src/opencast/mediapackage.js';
import type { MediaPackageElement } from '../../../src/opencast/model.js';
import { readFixture } from '../../helpers/fixtures.js';

const NS = 'http://mediapackage.opencastproject.org';
const BASE = 'http://XYZ.cloudfront.net/';

function track(id: string, url: string, logicalName?: string): MediaPackageElement {
  const logical = logicalName === undefined ? '' : `<logicalname>${logicalName}</logicalname>`;
  return parseElement(
    `<track id="${id}" type="presenter/delivery" xmlns="${NS}"><url>${url}</url>${logical}</track>`,
  );
}

/** Where a published element is, and what a player makes of a reference inside it. */
function publishedUrl(element: MediaPackageElement, mediaPackageId: string): string {
  const context = {
    organization: 'mh_default_org',
    channelId: 'engage-player',
    mediaPackageId,
    elementId: element.id,
  };
  return distributionUrl(BASE, objectKey(context, element.url));
}

/** What a player fetches for `reference` inside the document at `from` (URL-normalised). */
function resolved(reference: string, from: string): string {
  return new URL(reference, from).href;
}

/** Example A: the three tracks of the download module's fixture, in workspace URLs. */
function exampleA(): MediaPackageElement[] {
  const mp = parseMediaPackage(
    readFixture('distribution-service-download/hls_1_var_mediapackage.xml'),
  );
  return ['master', 'variant', 'segments'].map((id) => {
    const element = findElement(mp, id)!;
    return withUrl(element, `http://h/files/mediapackage/M/${id}/${element.url}`);
  });
}

const exampleATexts = () =>
  new Map([
    ['master', readFixture('distribution-service-download/master.m3u8')],
    ['variant', readFixture('distribution-service-download/variant_0.m3u8')],
  ]);

describe('rewritePlaylists, example A (spec §6.4)', () => {
  const { playlists } = rewritePlaylists({ tracks: exampleA(), playlistTexts: exampleATexts() });
  const byId = new Map(playlists.map((p) => [p.element.id, p]));

  it('returns the two playlists, not the media', () => {
    expect(playlists.map((p) => p.element.id)).toEqual(['master', 'variant']);
  });

  it('points the master at ../variant/variant_0.m3u8', () => {
    expect(byId.get('master')!.text).toBe(
      '#EXTM3U\n' +
        '#EXT-X-VERSION:7\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=4505600,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"\n' +
        '../variant/variant_0.m3u8\n',
    );
  });

  it('points the variant at ../segments/file_0.mp4, in #EXT-X-MAP and in URI lines', () => {
    expect(byId.get('variant')!.text).toBe(
      '#EXTM3U\n' +
        '#EXT-X-VERSION:7\n' +
        '#EXT-X-TARGETDURATION:12\n' +
        '#EXT-X-MEDIA-SEQUENCE:0\n' +
        '#EXT-X-DISCONTINUITY\n' +
        '#EXT-X-MAP:URI="../segments/file_0.mp4",BYTERANGE="1319@0"\n' +
        '#EXTINF:11.866667,\n' +
        '#EXT-X-BYTERANGE:7258129@1319\n' +
        '../segments/file_0.mp4\n' +
        '#EXTINF:8.133333,\n' +
        '#EXT-X-BYTERANGE:2982424@7259448\n' +
        '../segments/file_0.mp4\n' +
        '#EXT-X-ENDLIST\n',
    );
  });

  it('sets logicalname to the own reference and master true/false, in the XML too', () => {
    const master = byId.get('master')!.element;
    const variant = byId.get('variant')!.element;
    expect([master.logicalName, master.master]).toEqual(['../master/master.m3u8', true]);
    expect([variant.logicalName, variant.master]).toEqual(['../variant/variant_0.m3u8', false]);
    expect(serializeElement(variant)).toContain(
      '<logicalname>../variant/variant_0.m3u8</logicalname>',
    );
    expect(serializeElement(variant)).toContain('<master>false</master>');
    expect(serializeElement(master)).toContain('<master>true</master>');
    // The URL stays the source: the caller sets the distributed one.
    expect(master.url).toBe('http://h/files/mediapackage/M/master/master.m3u8');
  });

  it('produces references a player resolves to the published objects', () => {
    const [master, variant, segments] = exampleA() as [
      MediaPackageElement,
      ...MediaPackageElement[],
    ];
    const masterUrl = publishedUrl(master, 'M');
    expect(resolved('../variant/variant_0.m3u8', masterUrl)).toBe(
      new URL(publishedUrl(variant!, 'M')).href,
    );
    expect(resolved('../segments/file_0.mp4', publishedUrl(variant!, 'M'))).toBe(
      new URL(publishedUrl(segments!, 'M')).href,
    );
  });
});

describe('rewritePlaylists, example B: the S3 module fixture (spec §6.5)', () => {
  const mp = parseMediaPackage(readFixture('hls_mediapackage.xml'));
  const tracks = ['presenter-mp4', 'presenter-m3u8'].map((id) => findElement(mp, id)!);
  const { playlists } = rewritePlaylists({
    tracks,
    playlistTexts: new Map([['presenter-m3u8', readFixture('video-presenter-delivery.m3u8')]]),
  });

  it('rewrites the playlist, unlike Opencast, so the published playlist is playable', () => {
    // Opencast defaults a missing logicalname to the URL path, matches no line and uploads
    // the playlist unchanged: it then points at presenter-m3u8/video-presenter-delivery.mp4,
    // which does not exist (§6.5 step 7). With the file name as default it is found.
    expect(playlists).toHaveLength(1);
    expect(playlists[0]!.text).toBe(
      '#EXTM3U\n' +
        '#EXT-X-VERSION:7\n' +
        '#EXT-X-TARGETDURATION:12\n' +
        '#EXT-X-MEDIA-SEQUENCE:0\n' +
        '#EXT-X-DISCONTINUITY\n' +
        '#EXT-X-MAP:URI="../presenter-mp4/video-presenter-delivery.mp4",BYTERANGE="1319@0"\n' +
        '#EXTINF:11.866667,\n' +
        '#EXT-X-BYTERANGE:7258129@1319\n' +
        '../presenter-mp4/video-presenter-delivery.mp4\n' +
        '#EXTINF:8.133333,\n' +
        '#EXT-X-BYTERANGE:2982424@7259448\n' +
        '../presenter-mp4/video-presenter-delivery.mp4\n' +
        '#EXT-X-ENDLIST\n',
    );
  });

  it('resolves to the mp4 URL of distributed_hls_mediapackage.xml', () => {
    const distributed = parseMediaPackage(readFixture('distributed_hls_mediapackage.xml'));
    const playlistUrl = findElement(distributed, 'presenter-m3u8')!.url;
    expect(resolved('../presenter-mp4/video-presenter-delivery.mp4', playlistUrl)).toBe(
      new URL(findElement(distributed, 'presenter-mp4')!.url).href,
    );
  });

  it('marks the lone variant-style playlist master=false, as Opencast ends up doing', () => {
    const element = playlists[0]!.element;
    expect(element.master).toBe(false);
    expect(element.logicalName).toBe('../presenter-m3u8/video-presenter-delivery.m3u8');
  });
});

describe('rewritePlaylists, other input', () => {
  const media = track('seg', 'http://h/M/seg/file_0.mp4');
  const list = track('list', 'http://h/M/list/index.m3u8');
  const rewrite = (text: string, limits?: { maxBytes?: number; maxLines?: number }) =>
    rewritePlaylists({ tracks: [list, media], playlistTexts: new Map([['list', text]]), limits })
      .playlists[0]!.text;

  it('reads CRLF and CR input and writes \\n', () => {
    expect(rewrite('#EXTM3U\r\n#EXTINF:1,\r\nfile_0.mp4\r\n\r\n#EXT-X-ENDLIST\r\n')).toBe(
      '#EXTM3U\n#EXTINF:1,\n../seg/file_0.mp4\n\n#EXT-X-ENDLIST\n',
    );
    expect(rewrite('#EXTM3U\rfile_0.mp4')).toBe('#EXTM3U\n../seg/file_0.mp4\n');
  });

  it('keeps absolute URIs, also when their file name is known', () => {
    const text = '#EXTM3U\nhttps://cdn.example.org/M/seg/file_0.mp4\nfile_0.mp4\n';
    expect(rewrite(text)).toBe(
      '#EXTM3U\nhttps://cdn.example.org/M/seg/file_0.mp4\n../seg/file_0.mp4\n',
    );
  });

  it('rewrites the URI of #EXT-X-MEDIA in a master playlist', () => {
    const audio = track('aud', 'http://h/M/aud/audio.m3u8');
    const master = track('master', 'http://h/M/master/master.m3u8');
    const { playlists } = rewritePlaylists({
      tracks: [master, audio, media],
      playlistTexts: new Map([
        [
          'master',
          '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="audio.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="a"\naudio.m3u8\n',
        ],
        ['aud', '#EXTM3U\n#EXTINF:1,\nfile_0.mp4\n'],
      ]),
    });
    expect(playlists[0]!.text).toBe(
      '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",URI="../aud/audio.m3u8"\n#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO="a"\n../aud/audio.m3u8\n',
    );
    expect(playlists.map((p) => [p.element.id, p.element.master])).toEqual([
      ['master', true],
      ['aud', false],
    ]);
  });

  it('encodes names like distributionUrl, so odd names still resolve to their key', () => {
    const odd = track('odd(1)', 'http://h/M/odd(1)/my%20clip%20(1).mp4');
    const { playlists } = rewritePlaylists({
      tracks: [list, odd],
      playlistTexts: new Map([['list', 'my%20clip%20(1).mp4\nmy clip (1).mp4\n']]),
    });
    const reference = '../odd%281%29/my%20clip%20%281%29.mp4';
    expect(playlists[0]!.text).toBe(`${reference}\n${reference}\n`);
    expect(resolved(reference, publishedUrl(list, 'M'))).toBe(new URL(publishedUrl(odd, 'M')).href);
    expect(publishedUrl(odd, 'M')).toMatch(/\/odd%281%29\/my%20clip%20%281%29\.mp4$/);
  });

  it('uses an explicit logicalname rather than the file name', () => {
    const renamed = track('seg', 'http://h/M/seg/a1b2c3.mp4', 'segment_0.mp4');
    const { playlists } = rewritePlaylists({
      tracks: [list, renamed],
      playlistTexts: new Map([['list', 'segment_0.mp4\na1b2c3.mp4\n']]),
    });
    expect(playlists[0]!.text).toBe('../seg/a1b2c3.mp4\na1b2c3.mp4\n');
  });

  it('validates the group itself too', () => {
    const noMedia = errorOf(() =>
      rewritePlaylists({ tracks: [list, track('l2', 'b.m3u8')], playlistTexts: new Map() }),
    );
    expect(noMedia.message).toMatch(/^No playable media segment in mediapackage/);
    expect(
      errorOf(() => rewritePlaylists({ tracks: [list], playlistTexts: new Map() })).message,
    ).toMatch(/^Not enough files in a playlist/);
  });

  it('reports a missing text as a non-retryable internal error', () => {
    const error = errorOf(() =>
      rewritePlaylists({ tracks: [list, media], playlistTexts: new Map() }),
    );
    expect([error.code, error.retryable]).toEqual(['INTERNAL', false]);
    expect(error.message).toBe('No playlist text was given for track list');
  });
});

describe('rewritePlaylists, hostile playlists', () => {
  const media = track('seg', 'http://h/M/seg/file_0.mp4');
  const list = track('list', 'http://h/M/list/index.m3u8');
  const rewrite = (text: string, limits?: { maxBytes?: number; maxLines?: number }) =>
    rewritePlaylists({ tracks: [list, media], playlistTexts: new Map([['list', text]]), limits })
      .playlists[0]!.text;

  it('keeps path tricks verbatim unless they name an element, which only the map can produce', () => {
    const text = [
      '#EXTM3U',
      '../../other-mp/x/secret.mp4',
      '../../other-mp/x/file_0.mp4',
      '#EXT-X-MAP:URI="../../../etc/passwd"',
      '#EXT-X-MAP:URI="../../other-mp/file_0.mp4"',
      '..',
      '',
    ].join('\n');
    expect(rewrite(text)).toBe(
      [
        '#EXTM3U',
        '../../other-mp/x/secret.mp4',
        '../seg/file_0.mp4',
        '#EXT-X-MAP:URI="../../../etc/passwd"',
        '#EXT-X-MAP:URI="../seg/file_0.mp4"',
        '..',
        '',
      ].join('\n'),
    );
  });

  it('refuses a text over 5 MiB or with over 100 000 lines', () => {
    const huge = errorOf(() => rewrite(`#EXTM3U\n${'#'.repeat(5 * 1024 * 1024)}`));
    expect(huge.code).toBe('INVALID_INPUT');
    expect(huge.message).toBe('Playlist list is larger than 5242880 bytes');
    const many = errorOf(() => rewrite('file_0.mp4\n'.repeat(100_001)));
    expect(many.code).toBe('INVALID_INPUT');
    expect(many.message).toBe('Playlist list has more than 100000 lines');
  });

  it('takes tighter limits from the caller', () => {
    expect(errorOf(() => rewrite('#EXTM3U\n', { maxBytes: 4 })).code).toBe('INVALID_INPUT');
    expect(rewrite('a\nb\n', { maxLines: 2 })).toBe('a\nb\n');
    expect(rewrite('a\n', { maxBytes: undefined, maxLines: undefined })).toBe('a\n');
    expect(errorOf(() => rewrite('a\nb\nc\n', { maxLines: 2 })).code).toBe('INVALID_INPUT');
  });

  it('refuses an element id that would climb out of the mediapackage', () => {
    const climbing = track('..', 'http://h/M/x/file_1.mp4');
    const error = errorOf(() =>
      rewritePlaylists({ tracks: [list, climbing], playlistTexts: new Map([['list', '']]) }),
    );
    expect(error.code).toBe('INVALID_KEY');
  });
});

describe('rewriteHls', () => {
  it('rewrites every playlist of a plan, keyed by element id', () => {
    const catalog = parseElement(
      `<catalog id="dc" type="dublincore/episode" xmlns="${NS}"><url>http://h/M/dc/episode.xml</url></catalog>`,
    );
    const plan = planHlsGroups([...exampleA(), catalog]);
    expect(plan.playlists.map((p) => p.id)).toEqual(['master', 'variant']);
    const result = rewriteHls(plan, exampleATexts());
    expect([...result.keys()]).toEqual(['master', 'variant']);
    expect(result.get('master')!.text).toContain('\n../variant/variant_0.m3u8\n');
    expect(result.get('variant')!.element.logicalName).toBe('../variant/variant_0.m3u8');
  });

  it('does nothing for a request without playlists', () => {
    const plan = planHlsGroups([track('a', 'a.mp4'), track('b', 'b.mp4')]);
    expect(rewriteHls(plan, new Map()).size).toBe(0);
    expect(plan.unchanged.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('passes the limits on', () => {
    const plan = planHlsGroups(exampleA());
    expect(errorOf(() => rewriteHls(plan, exampleATexts(), { maxLines: 3 })).code).toBe(
      'INVALID_INPUT',
    );
  });
});
