import { describe, expect, it } from 'vitest';
import { DEFAULT_XML_LIMITS, readXml, type XmlElement } from '../../../src/opencast/xml-tree.js';
import { XML_NS } from '../../../src/opencast/xml-namespaces.js';

function firstElement(element: XmlElement, index = 0): XmlElement {
  const child = element.children.filter((c): c is XmlElement => typeof c !== 'string')[index];
  if (child === undefined) throw new Error(`no child element #${index}`);
  return child;
}

describe('readXml', () => {
  it('exposes the default limits', () => {
    expect(DEFAULT_XML_LIMITS).toEqual({ maxBytes: 5 * 1024 * 1024, maxDepth: 64 });
  });

  it('resolves default namespaces with proper scoping', () => {
    const root = readXml('<a xmlns="urn:1"><b xmlns="urn:2"><c/></b><d/></a>');
    expect(root).toMatchObject({ namespace: 'urn:1', name: 'a', attributes: [] });
    const b = firstElement(root);
    expect(b.namespace).toBe('urn:2');
    expect(firstElement(b).namespace).toBe('urn:2');
    expect(firstElement(root, 1)).toMatchObject({ namespace: 'urn:1', name: 'd' });
  });

  it('resolves prefixes, rebinding and undeclaring the default namespace', () => {
    const root = readXml(
      '<p:a xmlns:p="urn:1"><p:b xmlns:p="urn:2"><p:c/></p:b><p:d/><e xmlns=""/></p:a>',
    );
    expect(root).toMatchObject({ namespace: 'urn:1', name: 'a' });
    expect(firstElement(firstElement(root))).toMatchObject({ namespace: 'urn:2', name: 'c' });
    expect(firstElement(root, 1)).toMatchObject({ namespace: 'urn:1', name: 'd' });
    expect(firstElement(root, 2)).toMatchObject({ namespace: undefined, name: 'e' });
  });

  it('removes namespace declarations and resolves qualified attributes', () => {
    const root = readXml('<a xmlns="urn:1" xmlns:q="urn:q" id="1" q:x="2" xml:lang="en"/>');
    expect(root.attributes).toEqual([
      { name: 'id', namespace: undefined, value: '1' },
      { name: 'x', namespace: 'urn:q', value: '2' },
      { name: 'lang', namespace: XML_NS, value: 'en' },
    ]);
  });

  it('decodes predefined entities and character references exactly once', () => {
    const root = readXml('<r a="&lt;&#233;&#xE9;&quot;">&amp;lt; &#x1F600; &quot;&apos;&gt;</r>');
    expect(root.attributes[0]?.value).toBe('<éé"');
    expect(root.children).toEqual(['&lt; 😀 "\'>']);
  });

  it('normalises literal whitespace in attribute values but keeps character references', () => {
    const root = readXml('<r a="x&#10;y\nz\tw"/>');
    expect(root.attributes[0]?.value).toBe('x\ny z w');
  });

  it('keeps CDATA literally and joins it with adjacent text; comments vanish', () => {
    const root = readXml('<r>a<!-- note -->b<![CDATA[<b>&amp;</b>]]>c</r>');
    expect(root.children).toEqual(['ab<b>&amp;</b>c']);
  });

  it('keeps whitespace text and non-ASCII as is', () => {
    const root = readXml(
      '<?xml version="1.0" encoding="UTF-8"?>\n<r>\n  <x>Grüße – 日本</x>\n</r>\n',
    );
    expect(root.children[0]).toBe('\n  ');
    expect(firstElement(root).children).toEqual(['Grüße – 日本']);
  });

  it('accepts a byte order mark and CRLF line ends', () => {
    const root = readXml('\uFEFF<r>a\r\nb</r>');
    expect(root.children).toEqual(['a\nb']);
  });

  it('keeps names that collide with JavaScript object members', () => {
    const root = readXml('<__proto__ constructor="1" toString="2"><hasOwnProperty/></__proto__>');
    expect(root.name).toBe('__proto__');
    expect(root.attributes.map((a) => a.name)).toEqual(['constructor', 'toString']);
    expect(firstElement(root).name).toBe('hasOwnProperty');
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
  });

  it('accepts single quotes, spaces around = and comments outside the root', () => {
    const root = readXml(`<!-- before --><r a = '1' b="x'y"/>\n<!-- after -->`);
    expect(root.attributes.map((a) => [a.name, a.value])).toEqual([
      ['a', '1'],
      ['b', "x'y"],
    ]);
  });

  it('reads an element nested exactly at the depth limit', () => {
    const xml = '<a>'.repeat(5) + '</a>'.repeat(5);
    expect(readXml(xml, { maxDepth: 5 }).name).toBe('a');
  });

  it('refuses nonsensical limits', () => {
    expect(() => readXml('<r/>', { maxDepth: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => readXml('<r/>', { maxBytes: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => readXml('<r/>', { maxDepth: 1e9 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
