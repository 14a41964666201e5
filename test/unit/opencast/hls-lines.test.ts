import { describe, expect, it } from 'vitest';
import { resolveReference, rewriteLine, rewriteLines } from '../../../src/opencast/hls-lines.js';

const refs = new Map([
  ['file_0.mp4', '../segments/file_0.mp4'],
  ['variant_0.m3u8', '../variant/variant_0.m3u8'],
  ['audio.m3u8', '../audio/audio.m3u8'],
  ['my file.mp4', '../spaced/my%20file.mp4'],
  ['a.b.mp4', '../dots/a.b.mp4'],
]);

describe('rewriteLine: URI lines', () => {
  it('maps a whole-line logical name', () => {
    expect(rewriteLine('file_0.mp4', refs)).toBe('../segments/file_0.mp4');
  });

  it('trims like Java before matching, and keeps the trimmed line when unknown', () => {
    expect(rewriteLine('  file_0.mp4\t', refs)).toBe('../segments/file_0.mp4');
    expect(rewriteLine('  other.mp4 ', refs)).toBe('other.mp4');
  });

  it('maps by file name and drops the directory: every element has its own folder', () => {
    expect(rewriteLine('media/file_0.mp4', refs)).toBe('../segments/file_0.mp4');
    expect(rewriteLine('/abs/path/file_0.mp4', refs)).toBe('../segments/file_0.mp4');
    expect(rewriteLine('sub\\file_0.mp4', refs)).toBe('../segments/file_0.mp4');
  });

  it('matches the percent-decoded form, as a player resolves it', () => {
    expect(rewriteLine('my%20file.mp4', refs)).toBe('../spaced/my%20file.mp4');
    expect(rewriteLine('dir/my%20file.mp4', refs)).toBe('../spaced/my%20file.mp4');
    expect(rewriteLine('bad%zzescape.mp4', refs)).toBe('bad%zzescape.mp4');
  });

  it('compares names literally, not as patterns', () => {
    expect(rewriteLine('aXb.mp4', refs)).toBe('aXb.mp4');
    expect(rewriteLine('a.b.mp4', refs)).toBe('../dots/a.b.mp4');
  });

  it.each([
    'http://cdn.example.org/x/file_0.mp4',
    'https://cdn.example.org/variant_0.m3u8',
    '//cdn.example.org/file_0.mp4',
    's3://bucket/file_0.mp4',
  ])('keeps the absolute URI %s unchanged', (uri) => {
    expect(rewriteLine(uri, refs)).toBe(uri);
  });

  it('keeps a reference with a query or fragment (it names no element exactly)', () => {
    expect(rewriteLine('file_0.mp4?token=1', refs)).toBe('file_0.mp4?token=1');
  });
});

describe('rewriteLine: tag lines', () => {
  it('replaces exactly the URI value of #EXT-X-MAP', () => {
    expect(rewriteLine('#EXT-X-MAP:URI="file_0.mp4",BYTERANGE="1319@0"', refs)).toBe(
      '#EXT-X-MAP:URI="../segments/file_0.mp4",BYTERANGE="1319@0"',
    );
  });

  it('replaces the URI of #EXT-X-MEDIA, not an earlier attribute with the same text', () => {
    const line =
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="audio.m3u8",DEFAULT=YES,URI="audio.m3u8"';
    expect(rewriteLine(line, refs)).toBe(
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="audio.m3u8",DEFAULT=YES,URI="../audio/audio.m3u8"',
    );
  });

  it('is not fooled by URI= inside a quoted value', () => {
    const line = '#EXT-X-MEDIA:TYPE=AUDIO,NAME="x,URI=",URI="audio.m3u8"';
    expect(rewriteLine(line, refs)).toBe(
      '#EXT-X-MEDIA:TYPE=AUDIO,NAME="x,URI=",URI="../audio/audio.m3u8"',
    );
  });

  it('also rewrites #EXT-X-I-FRAME-STREAM-INF and #EXT-X-KEY URIs (Opencast leaves them)', () => {
    expect(rewriteLine('#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="variant_0.m3u8"', refs)).toBe(
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="../variant/variant_0.m3u8"',
    );
    expect(rewriteLine('#EXT-X-KEY:METHOD=AES-128,URI="file_0.mp4"', refs)).toBe(
      '#EXT-X-KEY:METHOD=AES-128,URI="../segments/file_0.mp4"',
    );
  });

  it.each([
    '#EXT-X-MEDIA:TYPE=AUDIO,URI="unknown.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,URI="https://cdn/audio.m3u8"',
    '#EXT-X-MEDIA:TYPE=AUDIO,URI=""',
    '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,INSTREAM-ID="CC1"',
    '#EXT-X-MAP:URI="file_0.mp4',
    '#EXT-X-MAP:URI=file_0.mp4',
    '#EXT-X-MAP:BROKEN',
    '#EXT-X-MAP:A="b"junk,URI="file_0.mp4"',
    '#EXT-X-STREAM-INF:BANDWIDTH=1,URI="file_0.mp4"',
    '#EXTINF:11.866667,file_0.mp4',
    '# a comment URI="file_0.mp4"',
    '#ext-x-map:URI="file_0.mp4"',
  ])('keeps %s as it is', (line) => {
    expect(rewriteLine(line, refs)).toBe(line);
  });

  it('turns a whitespace-only line into an empty one', () => {
    expect(rewriteLine(' \t ', refs)).toBe('');
    expect(rewriteLine('', refs)).toBe('');
  });
});

describe('resolveReference', () => {
  it('never produces anything but a map value', () => {
    const values = new Set(refs.values());
    for (const uri of ['../../other-mp/x/file_0.mp4', '..\\..\\file_0.mp4', 'file_0.mp4']) {
      const result = resolveReference(uri, refs);
      expect(result !== undefined && values.has(result)).toBe(true);
    }
    expect(resolveReference('../../other-mp/x/secret.mp4', refs)).toBeUndefined();
    expect(resolveReference('', refs)).toBeUndefined();
  });
});

describe('rewriteLines', () => {
  it('ends every line with \\n and keeps blank lines', () => {
    expect(rewriteLines(['#EXTM3U', '', 'file_0.mp4'], refs)).toBe(
      '#EXTM3U\n\n../segments/file_0.mp4\n',
    );
    expect(rewriteLines([], refs)).toBe('');
  });

  // A quadratic trim or attribute scan of these lines takes hours: the test timeout catches it.
  it('is linear on a hostile line of spaces', () => {
    const line = `${' '.repeat(2_000_000)}x${' '.repeat(2_000_000)}`;
    expect(rewriteLines([line, `#EXT-X-MAP:${'A=B,'.repeat(500_000)}`], refs)).toContain('x\n');
  });
});
