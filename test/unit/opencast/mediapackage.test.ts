import { describe, expect, it } from 'vitest';
import { findElement, parseMediaPackage } from '../../../src/opencast/mediapackage.js';
import { readFixture } from '../../helpers/fixtures.js';

const MP_NS = 'http://mediapackage.opencastproject.org';

describe('parseMediaPackage', () => {
  it('reads the S3 module fixture', () => {
    const mp = parseMediaPackage(readFixture('mediapackage.xml'));
    expect(mp).toMatchObject({
      id: 'efd6e4df-63b6-49af-be5f-15f598778877',
      title: 'Test Recording',
      start: '2015-07-27T20:50:00Z',
      duration: 14226,
      seriesId: '20160119999',
    });
    expect(mp.elements.map((e) => [e.elementType, e.id])).toEqual([
      ['track', 'track-1'],
      ['track', 'presenter-delivery'],
      ['catalog', 'episode-dc'],
      ['catalog', 'series-dc'],
    ]);
    const track = findElement(mp, 'presenter-delivery');
    expect(track).toMatchObject({
      elementType: 'track',
      flavor: 'presenter/delivery',
      reference: undefined,
      mimetype: 'video/mp4',
      tags: [],
      url: 'video-presenter-delivery.mp4',
      size: undefined,
      checksum: undefined,
      logicalName: undefined,
      children: [],
    });
    expect(track?.node.name).toBe('track');
  });

  it.each([
    ['mediapackage.xml', 4],
    ['mediapackage_distributed.xml', 3],
    ['hls_mediapackage.xml', 5],
    ['distributed_hls_mediapackage.xml', 4],
    ['distribution-service-download/hls_1_var_mediapackage.xml', 5],
    ['common/manifest-simple.xml', 1],
  ])('parses %s', (file, count) => {
    const mp = parseMediaPackage(readFixture(file));
    expect(mp.elements).toHaveLength(count);
    for (const element of mp.elements) {
      expect(findElement(mp, element.id)).toBe(element);
      expect(element.url).not.toBe('');
    }
  });

  it('reads the ns2: prefixed HLS fixture with logical names and master flags', () => {
    const mp = parseMediaPackage(
      readFixture('distribution-service-download/hls_1_var_mediapackage.xml'),
    );
    expect(mp.start).toBe('2010-05-19T09:27:46');
    expect(findElement(mp, 'master')).toMatchObject({ logicalName: 'master.m3u8', master: true });
    expect(findElement(mp, 'variant')).toMatchObject({
      logicalName: 'variant_0.m3u8',
      master: undefined,
    });
    expect(findElement(mp, 'mpeg7')).toMatchObject({
      reference: 'mpeg7',
      flavor: 'mpeg-7/segments',
    });
    expect(findElement(mp, 'master')?.checksum).toEqual({
      type: 'md5',
      value: '46cb2e9df2e73756b0d96c33b1aaf055',
    });
  });

  it('reads the oc: prefixed manifest', () => {
    const mp = parseMediaPackage(readFixture('common/manifest-simple.xml'));
    expect(mp.duration).toBe(1004400000);
    expect(findElement(mp, 'catalog-1')).toMatchObject({
      elementType: 'catalog',
      url: 'dublincore.xml',
      checksum: { type: 'md5', value: '2b8a52878c536e64e20e309b5d7c1070' },
    });
  });

  it('finds elements inside publications after top-level ones', () => {
    const xml = `<mediapackage xmlns="${MP_NS}" id="mp"><media><track id="t"><url>a.mp4</url></track></media>
      <publications><publication id="p" channel="engage-player"><url>http://x/p</url>
        <media><track id="pt"><url>http://x/pt.mp4</url></track><track id="t"><url>http://x/dup.mp4</url></track></media>
        <attachments><attachment id="pa"><url>http://x/a.png</url></attachment></attachments>
        <metadata><catalog id="pc"><url>http://x/c.xml</url></catalog></metadata>
      </publication></publications></mediapackage>`;
    const mp = parseMediaPackage(xml);
    expect(mp.elements.map((e) => e.id)).toEqual(['t', 'p']);
    const publication = findElement(mp, 'p');
    expect(publication?.channel).toBe('engage-player');
    expect(publication?.children.map((e) => [e.elementType, e.id])).toEqual([
      ['track', 'pt'],
      ['track', 't'],
      ['attachment', 'pa'],
      ['catalog', 'pc'],
    ]);
    expect(findElement(mp, 't')?.url).toBe('a.mp4');
    expect(findElement(mp, 'pc')?.url).toBe('http://x/c.xml');
    expect(findElement(mp, 'nope')).toBeUndefined();
  });

  it('ignores elements outside the mediapackage namespace, as JAXB does', () => {
    const xml = `<oc:mediapackage xmlns:oc="${MP_NS}" id="mp"><oc:media>
      <track id="unqualified"><url>x</url></track>
      <oc:track id="t" xmlns:o="urn:other"><o:url>ignored</o:url><oc:url>kept</oc:url><o:extra/></oc:track>
    </oc:media><x:media xmlns:x="urn:other"><oc:track id="hidden"><oc:url>y</oc:url></oc:track></x:media></oc:mediapackage>`;
    const mp = parseMediaPackage(xml);
    expect(mp.elements.map((e) => e.id)).toEqual(['t']);
    expect(mp.elements[0]?.url).toBe('kept');
    expect(mp.elements[0]?.node.children.map((c) => (typeof c === 'string' ? c : c.name))).toEqual([
      'url',
    ]);
  });

  it('sorts and de-duplicates tags like a Java TreeSet', () => {
    const xml = `<mediapackage xmlns="${MP_NS}" id="mp"><media><track id="t"><tags>
      <tag>engage</tag><tag>Zulu</tag><tag>archive</tag><tag>engage</tag><tag>é</tag><tag>😀</tag><tag>\uFF01</tag>
    </tags><url>u</url></track></media></mediapackage>`;
    expect(parseMediaPackage(xml).elements[0]?.tags).toEqual([
      'Zulu',
      'archive',
      'engage',
      'é',
      '😀',
      '\uFF01',
    ]);
  });

  it.each([
    [
      'a wrong root',
      `<track xmlns="${MP_NS}" id="t"><url>u</url></track>`,
      /found \{http:\/\/mediapackage\.opencastproject\.org\}track/,
    ],
    ['a root in no namespace', '<mediapackage id="mp"/>', /found \{\}mediapackage/],
    [
      'a root in another namespace',
      '<mediapackage xmlns="urn:x" id="mp"/>',
      /found \{urn:x\}mediapackage/,
    ],
    ['no mediapackage id', `<mediapackage xmlns="${MP_NS}"/>`, /no id/],
    [
      'an element without id',
      `<mediapackage xmlns="${MP_NS}" id="m"><media><track><url>u</url></track></media></mediapackage>`,
      /<track> has no id/,
    ],
    [
      'an element without url',
      `<mediapackage xmlns="${MP_NS}" id="m"><metadata><catalog id="c"/></metadata></mediapackage>`,
      /"c".*no url/,
    ],
    [
      'an element with an empty url',
      `<mediapackage xmlns="${MP_NS}" id="m"><metadata><catalog id="c"><url> </url></catalog></metadata></mediapackage>`,
      /no url/,
    ],
    [
      'two urls',
      `<mediapackage xmlns="${MP_NS}" id="m"><media><track id="t"><url>a</url><url>b</url></track></media></mediapackage>`,
      /more than one <url>/,
    ],
    [
      'a non-numeric size',
      `<mediapackage xmlns="${MP_NS}" id="m"><media><track id="t"><url>a</url><size>12kB</size></track></media></mediapackage>`,
      /size .* not an integer/,
    ],
    [
      'an unsafe size',
      `<mediapackage xmlns="${MP_NS}" id="m"><media><track id="t"><url>a</url><size>99999999999999999999</size></track></media></mediapackage>`,
      /not an integer/,
    ],
    [
      'a checksum without type',
      `<mediapackage xmlns="${MP_NS}" id="m"><media><track id="t"><url>a</url><checksum>ab</checksum></track></media></mediapackage>`,
      /checksum .* no type/,
    ],
    [
      'a bad master flag',
      `<mediapackage xmlns="${MP_NS}" id="m"><media><track id="t"><url>a</url><master>yes</master></track></media></mediapackage>`,
      /not a boolean/,
    ],
    [
      'a bad duration',
      `<mediapackage xmlns="${MP_NS}" id="m" duration="long"/>`,
      /duration is not an integer/,
    ],
    [
      'a nested publication element without url',
      `<mediapackage xmlns="${MP_NS}" id="m"><publications><publication id="p" channel="c"><url>u</url><media><track id="x"/></media></publication></publications></mediapackage>`,
      /"x".*no url/,
    ],
  ])('refuses %s with XML_INVALID', (_name, xml, message) => {
    expect(() => parseMediaPackage(xml)).toThrow(expect.objectContaining({ code: 'XML_INVALID' }));
    expect(() => parseMediaPackage(xml)).toThrow(message);
  });

  it('passes reader errors through with their own codes', () => {
    expect(() => parseMediaPackage('<!DOCTYPE x><x/>')).toThrow(
      expect.objectContaining({ code: 'XML_FORBIDDEN' }),
    );
    expect(() => parseMediaPackage(readFixture('mediapackage.xml'), { maxBytes: 100 })).toThrow(
      expect.objectContaining({ code: 'XML_TOO_LARGE' }),
    );
    expect(() => parseMediaPackage(readFixture('mediapackage.xml'), { maxDepth: 3 })).toThrow(
      expect.objectContaining({ code: 'XML_TOO_DEEP' }),
    );
    expect(() => parseMediaPackage('<mediapackage')).toThrow(
      expect.objectContaining({ code: 'XML_MALFORMED' }),
    );
  });
});
