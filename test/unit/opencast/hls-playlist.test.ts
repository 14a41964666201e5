import { describe, expect, it } from 'vitest';
import { errorOf } from '../../helpers/app-error.js';
import { parseElement } from '../../../src/opencast/element-xml.js';
import {
  DEFAULT_HLS_LIMITS,
  hasHlsPlaylist,
  isMasterPlaylist,
  isPlaylist,
  playlistLines,
} from '../../../src/opencast/hls-playlist.js';
import { readFixture } from '../../helpers/fixtures.js';

const NS = 'http://mediapackage.opencastproject.org';

function element(type: 'track' | 'catalog', url: string, mimetype = 'video/mp4') {
  return parseElement(
    `<${type} id="e1" type="presenter/delivery" xmlns="${NS}"><mimetype>${mimetype}</mimetype><url>${url}</url></${type}>`,
  );
}

describe('isPlaylist', () => {
  it.each([
    'http://h/files/mediapackage/M/master/master.m3u8',
    'master.M3U8',
    'http://h/a/playlist.m3u8?token=1#t=2',
    'http://h/a/play%2Em3u8',
  ])('recognises the track %s', (url) => {
    expect(isPlaylist(element('track', url))).toBe(true);
  });

  it.each(['http://h/a/file.mp4', 'http://h/a/file.m3u8x', 'http://h/a.m3u8/file.mp4', 'm3u8'])(
    'does not take %s for a playlist',
    (url) => {
      expect(isPlaylist(element('track', url))).toBe(false);
    },
  );

  it('ignores the MIME type, as Opencast does', () => {
    expect(isPlaylist(element('track', 'a.mp4', 'application/x-mpegURL'))).toBe(false);
    expect(isPlaylist(element('track', 'a.m3u8', 'video/mp4'))).toBe(true);
  });

  it('only counts tracks', () => {
    expect(isPlaylist(element('catalog', 'list.m3u8', 'text/plain'))).toBe(false);
    expect(hasHlsPlaylist([element('catalog', 'list.m3u8'), element('track', 'a.mp4')])).toBe(
      false,
    );
    expect(hasHlsPlaylist([element('track', 'a.mp4'), element('track', 'b.m3u8')])).toBe(true);
    expect(hasHlsPlaylist([])).toBe(false);
  });
});

describe('isMasterPlaylist', () => {
  it('tells the download module fixtures apart', () => {
    expect(isMasterPlaylist(readFixture('distribution-service-download/master.m3u8'))).toBe(true);
    expect(isMasterPlaylist(readFixture('distribution-service-download/variant_0.m3u8'))).toBe(
      false,
    );
    expect(isMasterPlaylist(readFixture('video-presenter-delivery.m3u8'))).toBe(false);
  });

  it.each([
    '#EXT-X-MEDIA:TYPE=AUDIO',
    '#ext-x-stream-inf:BANDWIDTH=1',
    '#EXT-X-I-FRAME-STREAM-INF:URI="i.m3u8"',
    'x #EXT-X-SESSION-DATA:DATA-ID="a"',
  ])('finds the master tag in %s anywhere, in any case', (line) => {
    expect(isMasterPlaylist(`#EXTM3U\n${line}\n`)).toBe(true);
  });

  it('needs the colon after the tag', () => {
    expect(isMasterPlaylist('#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:0\n')).toBe(false);
    expect(isMasterPlaylist('')).toBe(false);
  });
});

describe('playlistLines', () => {
  it('splits like Java readLine: \\n, \\r\\n and \\r, no empty line after the last break', () => {
    expect(playlistLines('a\r\nb\rc\nd', 'p', DEFAULT_HLS_LIMITS)).toEqual(['a', 'b', 'c', 'd']);
    expect(playlistLines('a\r\n\r\nb\r\n', 'p', DEFAULT_HLS_LIMITS)).toEqual(['a', '', 'b']);
    expect(playlistLines('a\n\n', 'p', DEFAULT_HLS_LIMITS)).toEqual(['a', '']);
    expect(playlistLines('', 'p', DEFAULT_HLS_LIMITS)).toEqual([]);
    expect(playlistLines('\n', 'p', DEFAULT_HLS_LIMITS)).toEqual(['']);
  });

  it('refuses a text over the byte limit, counting UTF-8 bytes', () => {
    const limits = { maxBytes: 10, maxLines: 100 };
    expect(playlistLines('0123456789', 'p', limits)).toHaveLength(1);
    const tooLong = errorOf(() => playlistLines('01234567890', 'Playlist x', limits));
    expect(tooLong.code).toBe('INVALID_INPUT');
    expect(tooLong.message).toBe('Playlist x is larger than 10 bytes');
    // Four characters, twelve bytes.
    expect(errorOf(() => playlistLines('€€€€', 'p', limits)).code).toBe('INVALID_INPUT');
  });

  it('refuses a text over the line limit before splitting it', () => {
    const limits = { maxBytes: 1000, maxLines: 3 };
    expect(playlistLines('a\nb\nc\n', 'p', limits)).toHaveLength(3);
    expect(playlistLines('a\r\nb\r\nc', 'p', limits)).toHaveLength(3);
    const error = errorOf(() => playlistLines('a\nb\nc\nd', 'Playlist y', limits));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe('Playlist y has more than 3 lines');
    expect(errorOf(() => playlistLines('\r\r\r\r', 'p', limits)).code).toBe('INVALID_INPUT');
  });

  it('refuses the default limits: 5 MiB and 100 000 lines', () => {
    expect(DEFAULT_HLS_LIMITS).toEqual({ maxBytes: 5 * 1024 * 1024, maxLines: 100_000 });
    expect(() => playlistLines('x'.repeat(5 * 1024 * 1024 + 1), 'p', DEFAULT_HLS_LIMITS)).toThrow(
      /larger than 5242880 bytes/,
    );
    expect(() => playlistLines('\n'.repeat(100_001), 'p', DEFAULT_HLS_LIMITS)).toThrow(
      /more than 100000 lines/,
    );
    expect(playlistLines('\n'.repeat(100_000), 'p', DEFAULT_HLS_LIMITS)).toHaveLength(100_000);
  });
});
