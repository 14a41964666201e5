import { describe, expect, it } from 'vitest';
import {
  parseElement,
  parseElementArray,
  serializeElement,
  serializeElementArray,
  withHlsFields,
  withUrl,
} from '../../../src/opencast/element-xml.js';
import { findElement, parseMediaPackage } from '../../../src/opencast/mediapackage.js';
import type { MediaPackageElement, XmlNode } from '../../../src/opencast/model.js';
import { readFixture } from '../../helpers/fixtures.js';

const MP_NS = 'http://mediapackage.opencastproject.org';
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const BASE =
  'http://XYZ.cloudfront.net/mh_default_org/channelId/efd6e4df-63b6-49af-be5f-15f598778877';

/** Spec §2.1, verified JAXB output for a track. */
const SPEC_TRACK =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><track id="t1" type="presenter/delivery" ref="track:src1" xmlns="http://mediapackage.opencastproject.org"><mimetype>video/mp4</mimetype><tags/><url>https://d1.cloudfront.net/mh_default_org/engage-player/M/t1/a.mp4</url><size>100</size><checksum type="md5">abc</checksum><duration>1000</duration><live>false</live></track>';

/** Spec §2.2, the two-element array sample. */
const SPEC_ARRAY =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><track id="presenter-delivery" type="presenter/delivery" xmlns="http://mediapackage.opencastproject.org"><mimetype>video/mp4</mimetype><tags/><url>http://XYZ.cloudfront.net/mh_default_org/channelId/efd6e4df-63b6-49af-be5f-15f598778877/presenter-delivery/video-presenter-delivery.mp4</url><duration>14226</duration><audio id="audio-1"><device/><encoder type="AAC"/><channels>2</channels><bitrate>96000.0</bitrate></audio><video id="video-1"><device/><encoder type="AVC"/><bitrate>507057.0</bitrate><framerate>30.0</framerate><resolution>1440x810</resolution><scantype type="Progressive"/></video><live>false</live></track>###<?xml version="1.0" encoding="UTF-8" standalone="yes"?><catalog id="episode-dc" type="dublincore/episode" xmlns="http://mediapackage.opencastproject.org"><mimetype>text/xml</mimetype><tags/><url>http://XYZ.cloudfront.net/mh_default_org/channelId/efd6e4df-63b6-49af-be5f-15f598778877/episode-dc/episode-dublincore.xml</url></catalog>';

const MEDIAPACKAGES = [
  'mediapackage.xml',
  'mediapackage_distributed.xml',
  'hls_mediapackage.xml',
  'distributed_hls_mediapackage.xml',
  'distribution-service-download/hls_1_var_mediapackage.xml',
  'common/manifest-simple.xml',
];
const PAYLOADS = [
  'distribution-workflowoperation/distribution_job_payload.txt',
  'distribution-workflowoperation/distribution_merge_job_payload.txt',
];
const ELEMENTS = ['common/publication-with-elements.xml', 'common/publicationElement.xml'];

function allFixtureElements(): [string, MediaPackageElement][] {
  const found: [string, MediaPackageElement][] = [];
  const add = (file: string, elements: readonly MediaPackageElement[]): void => {
    for (const element of elements) {
      found.push([`${file}#${element.id}`, element]);
      add(file, element.children);
    }
  };
  for (const file of MEDIAPACKAGES) add(file, parseMediaPackage(readFixture(file)).elements);
  for (const file of PAYLOADS) add(file, parseElementArray(readFixture(file)));
  for (const file of ELEMENTS) add(file, [parseElement(readFixture(file))]);
  return found;
}

function values(element: MediaPackageElement): unknown {
  // The node is compared separately, modulo the child order Opencast imposes.
  return { ...element, node: undefined, children: element.children.map(values) };
}

/** Children keyed by name, so that two nodes can be compared regardless of child order. */
function byName(node: XmlNode): XmlNode[] {
  return node.children
    .filter((child): child is XmlNode => typeof child !== 'string')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

describe('element XML', () => {
  it('parses the fixture payloads and element files', () => {
    expect(parseElementArray(readFixture(PAYLOADS[0]!)).map((e) => [e.elementType, e.id])).toEqual([
      ['catalog', 'd84b6672-ff84-4df5-9ada-f1cdc0f2d901'],
      ['attachment', 'ee8a7e51-0666-45b3-ac5a-77da00b075f4'],
      ['track', '128ba1e6-4553-45c0-8730-4eb954b9f554'],
    ]);
    const [track] = parseElementArray(readFixture(PAYLOADS[0]!)).slice(2);
    expect(track).toMatchObject({
      tags: ['engage'],
      size: 639199,
      checksum: { type: 'md5', value: '29782c69185b6e59afb902707e7b61e2' },
      logicalName: '243796_segment_0_presenter_160k_25fps.mp4',
      master: false,
      reference: 'track:8f9c3cfb-8df6-4307-b25e-00cb1faab6b2',
    });
    expect(parseElementArray(readFixture(PAYLOADS[1]!)).map((e) => e.id)).toEqual([
      'bdb7b046-0b08-4ffb-bf02-bc194876e47b',
    ]);
    expect(parseElement(readFixture(ELEMENTS[1]!))).toMatchObject({
      elementType: 'publication',
      channel: 'engage',
      url: 'http://localhost/engage.html',
      children: [],
    });
  });

  describe.each(allFixtureElements())('round trip of %s', (_name, element) => {
    const written = serializeElement(element);
    const reread = parseElement(written);

    it('keeps every value', () => {
      expect(values(reread)).toEqual(values(element));
    });

    it('is one line with one declaration', () => {
      expect(written.startsWith(DECLARATION)).toBe(true);
      expect(written).not.toMatch(/[\r\n]/);
      expect(written.split('<?xml')).toHaveLength(2);
    });

    it('keeps the whole node, adding only the defaults JAXB writes', () => {
      const added = new Set(
        ['tags', 'live', 'media', 'attachments', 'metadata'].filter(
          (name) => !byName(element.node).some((c) => c.name === name),
        ),
      );
      const kept = byName(reread.node).filter((child) => !added.has(child.name));
      expect(kept).toEqual(byName(element.node));
      expect(reread.node.attributes).toEqual(expect.arrayContaining([...element.node.attributes]));
      expect(reread.node.attributes).toHaveLength(element.node.attributes.length);
    });

    it('is a fixed point after one pass', () => {
      expect(serializeElement(reread)).toBe(written);
      expect(parseElement(written).node).toEqual(reread.node);
    });
  });

  it('writes the spec §2.1 track byte for byte from a pretty-printed, reordered input', () => {
    const pretty = `<?xml version="1.0" encoding="UTF-8"?>
<track xmlns="${MP_NS}" ref="track:src1" type="presenter/delivery" id="t1">
  <url>https://d1.cloudfront.net/mh_default_org/engage-player/M/t1/a.mp4</url>
  <checksum type="md5">abc</checksum>
  <duration>1000</duration>
  <size>100</size>
  <mimetype>video/mp4</mimetype>
</track>`;
    expect(serializeElement(parseElement(pretty))).toBe(SPEC_TRACK);
  });

  it('writes the spec §2.2 two-element sample byte for byte', () => {
    const mp = parseMediaPackage(readFixture('mediapackage.xml'));
    const track = withUrl(
      findElement(mp, 'presenter-delivery')!,
      `${BASE}/presenter-delivery/video-presenter-delivery.mp4`,
    );
    const catalog = withUrl(
      findElement(mp, 'episode-dc')!,
      `${BASE}/episode-dc/episode-dublincore.xml`,
    );
    expect(serializeElementArray([track, catalog])).toBe(SPEC_ARRAY);
    expect(parseElementArray(SPEC_ARRAY).map((e) => e.url)).toEqual([track.url, catalog.url]);
  });

  it('writes known children in Opencast order and unknown ones after them', () => {
    const xml = `<oc:track xmlns:oc="${MP_NS}" xmlns:x="urn:x" transport="HLS" future="1" id="t" x:ignored="1">
      <oc:logicalname>v.m3u8</oc:logicalname><oc:future>f</oc:future><oc:master>true</oc:master><oc:live>true</oc:live>
      <oc:video id="v"><oc:resolution>1x1</oc:resolution><oc:device/></oc:video><oc:audio id="a"/><x:junk/>
      <oc:url>u</oc:url><oc:tags><oc:tag>b</oc:tag><oc:tag>a</oc:tag></oc:tags><oc:mimetype>application/x-mpegURL</oc:mimetype>
    </oc:track>`;
    expect(serializeElement(parseElement(xml))).toBe(
      `${DECLARATION}<track id="t" transport="HLS" future="1" xmlns="${MP_NS}"><mimetype>application/x-mpegURL</mimetype><tags><tag>a</tag><tag>b</tag></tags><url>u</url><audio id="a"/><video id="v"><resolution>1x1</resolution><device/></video><live>true</live><master>true</master><logicalname>v.m3u8</logicalname><future>f</future></track>`,
    );
  });

  it('writes an attachment with its properties and a publication with empty wrappers', () => {
    const attachment = `<attachment xmlns="${MP_NS}" id="a"><additionalProperties><property key="k">v</property></additionalProperties><url>u</url></attachment>`;
    expect(serializeElement(parseElement(attachment))).toBe(
      `${DECLARATION}<attachment id="a" xmlns="${MP_NS}"><tags/><url>u</url><additionalProperties><property key="k">v</property></additionalProperties></attachment>`,
    );
    const publication = `<publication xmlns="${MP_NS}" channel="api" id="p"><metadata><catalog id="c"><url>c.xml</url></catalog></metadata><url>p</url></publication>`;
    expect(serializeElement(parseElement(publication))).toBe(
      `${DECLARATION}<publication id="p" channel="api" xmlns="${MP_NS}"><tags/><url>p</url><media/><attachments/><metadata><catalog id="c"><tags/><url>c.xml</url></catalog></metadata></publication>`,
    );
  });

  it('does not write live for catalogs and writes it for every track', () => {
    expect(
      serializeElement(parseElement(`<catalog xmlns="${MP_NS}" id="c"><url>u</url></catalog>`)),
    ).not.toContain('<live>');
    expect(
      serializeElement(parseElement(`<track xmlns="${MP_NS}" id="t"><url>u</url></track>`)),
    ).toContain('<live>false</live></track>');
  });

  it('escapes like JAXB and keeps non-ASCII characters', () => {
    const xml = `<track xmlns="${MP_NS}" id="a&quot;&lt;&gt;&amp;'" type="x&#10;y"><url>http://h/p?a=1&amp;b=&lt;2&gt;&#13;</url><tags><tag>Grüße "q" 'a'</tag></tags></track>`;
    const written = serializeElement(parseElement(xml));
    expect(written).toContain(`<track id="a&quot;&lt;&gt;&amp;'" type="x&#10;y"`);
    expect(written).toContain('<url>http://h/p?a=1&amp;b=&lt;2&gt;&#13;</url>');
    expect(written).toContain(`<tag>Grüße "q" 'a'</tag>`);
    expect(parseElement(written)).toMatchObject({
      id: `a"<>&'`,
      flavor: 'x\ny',
      url: 'http://h/p?a=1&b=<2>\r',
    });
  });

  it('keeps number texts as written', () => {
    const xml = `<track xmlns="${MP_NS}" id="t"><url>u</url><size>0100</size><video id="v"><framerate>24.98</framerate><bitrate>96000.0</bitrate></video></track>`;
    const written = serializeElement(parseElement(xml));
    expect(written).toContain('<size>0100</size>');
    expect(written).toContain('<framerate>24.98</framerate><bitrate>96000.0</bitrate>');
    expect(parseElement(xml).size).toBe(100);
  });

  it('joins arrays with ### and one declaration per part; empty list is ""', () => {
    const [a, b] = parseMediaPackage(readFixture('mediapackage.xml')).elements;
    const joined = serializeElementArray([a!, b!]);
    expect(joined.split('###')).toEqual([serializeElement(a!), serializeElement(b!)]);
    expect(joined.match(/<\?xml /g)).toHaveLength(2);
    expect(serializeElementArray([])).toBe('');
    expect(parseElementArray('')).toEqual([]);
    expect(parseElementArray(' ### \n###')).toEqual([]);
  });

  it('writes runs of # as references so a value cannot split the array', () => {
    const element = withUrl(
      parseElement(`<catalog xmlns="${MP_NS}" id="c"><url>u</url></catalog>`),
      'http://h/a####b#c',
    );
    const joined = serializeElementArray([element, element]);
    expect(joined.split('###')).toHaveLength(2);
    expect(parseElementArray(joined).map((e) => e.url)).toEqual([
      'http://h/a####b#c',
      'http://h/a####b#c',
    ]);
  });

  it('changes only the url with withUrl', () => {
    const original = findElement(
      parseMediaPackage(readFixture('mediapackage.xml')),
      'presenter-delivery',
    )!;
    const moved = withUrl(original, 'https://cdn/x.mp4');
    expect(moved.url).toBe('https://cdn/x.mp4');
    expect(original.url).toBe('video-presenter-delivery.mp4');
    expect(values({ ...moved, url: original.url })).toEqual(values(original));
    expect(serializeElement(moved)).toBe(
      serializeElement(original).replace('video-presenter-delivery.mp4', 'https://cdn/x.mp4'),
    );
    expect(() => withUrl(original, '')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('sets HLS fields on tracks only', () => {
    const track = parseElement(
      `<track xmlns="${MP_NS}" id="t"><url>u.m3u8</url><logicalname>u.m3u8</logicalname></track>`,
    );
    const updated = withHlsFields(track, { logicalName: '../t/u.m3u8', master: true });
    expect(updated).toMatchObject({ logicalName: '../t/u.m3u8', master: true });
    expect(serializeElement(updated)).toContain(
      '<live>false</live><master>true</master><logicalname>../t/u.m3u8</logicalname>',
    );
    expect(withHlsFields(track, {})).toBe(track);
    const catalog = parseElement(`<catalog xmlns="${MP_NS}" id="c"><url>u</url></catalog>`);
    expect(() => withHlsFields(catalog, { master: true })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it.each([
    ['a mediapackage root', `<mediapackage xmlns="${MP_NS}" id="m"/>`],
    ['a track in no namespace', '<track id="t"><url>u</url></track>'],
    ['a track in another namespace', '<track xmlns="urn:x" id="t"><url>u</url></track>'],
    ['an element without id', `<track xmlns="${MP_NS}"><url>u</url></track>`],
    ['an element without url', `<attachment xmlns="${MP_NS}" id="a"/>`],
  ])('refuses %s with XML_INVALID', (_name, xml) => {
    expect(() => parseElement(xml)).toThrow(expect.objectContaining({ code: 'XML_INVALID' }));
  });

  it('refuses hostile parts of an array with the reader codes', () => {
    const good = serializeElement(
      parseElement(`<catalog xmlns="${MP_NS}" id="c"><url>u</url></catalog>`),
    );
    expect(() => parseElementArray(`${good}###<!DOCTYPE x><x/>`)).toThrow(
      expect.objectContaining({ code: 'XML_FORBIDDEN' }),
    );
    expect(() => parseElementArray(`${good}###<catalog`)).toThrow(
      expect.objectContaining({ code: 'XML_MALFORMED' }),
    );
    expect(() => parseElementArray(`${good}###${good}`, { maxBytes: good.length + 10 })).toThrow(
      expect.objectContaining({ code: 'XML_TOO_LARGE' }),
    );
  });
});
