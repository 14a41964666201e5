import { describe, expect, it } from 'vitest';
import { readXml } from '../../../src/opencast/xml-tree.js';
import { codeOf } from '../../helpers/app-error.js';

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<lolz>&lol9;</lolz>`;

describe('readXml on hostile input', () => {
  it.each([
    ['DOCTYPE with an internal entity', '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>'],
    ['billion laughs', BILLION_LAUGHS],
    [
      'external SYSTEM entity',
      '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
    ],
    ['parameter entity', '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1/x.dtd"> %p;]><r/>'],
    ['a bare DOCTYPE', '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1/r.dtd"><r/>'],
    ['an undeclared named entity in text', '<r>&nbsp;</r>'],
    ['an undeclared named entity in an attribute', '<r a="&xxe;"/>'],
    ['an entity named like an object member', '<r>&constructor;</r>'],
    ['an entity declaration outside a DOCTYPE', '<r><!ENTITY e "x"></r>'],
    [
      'XInclude with a prefix',
      '<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd" parse="text"/></r>',
    ],
    [
      'XInclude as default namespace',
      '<r><include xmlns="http://www.w3.org/2001/XInclude" href="/etc/passwd"/></r>',
    ],
    ['XInclude 2003 draft', '<r xmlns:x="http://www.w3.org/2003/XInclude"/>'],
    ['a processing instruction', '<r><?php system("id") ?></r>'],
    ['a stylesheet instruction', '<?xml version="1.0"?><?xml-stylesheet href="x.xsl"?><r/>'],
    ['a processing instruction after the root', '<r/><?pi?>'],
  ])('refuses %s with XML_FORBIDDEN', (_name, xml) => {
    expect(codeOf(() => readXml(xml))).toBe('XML_FORBIDDEN');
  });

  it('names the forbidden construct in the message', () => {
    expect(() => readXml('<!DOCTYPE r><r/>')).toThrow(/DOCTYPE/);
    expect(() => readXml('<r>&nbsp;</r>')).toThrow(/&nbsp;/);
    expect(() => readXml('<r><?php x?></r>')).toThrow(/<\?php\?>/);
    expect(() => readXml('<xi:include xmlns:xi="http://www.w3.org/2001/XInclude"/>')).toThrow(
      /XInclude/,
    );
  });

  it('refuses a document over maxBytes before parsing it', () => {
    const xml = `<r>${'a'.repeat(100)}</r>`;
    expect(codeOf(() => readXml(xml, { maxBytes: 100 }))).toBe('XML_TOO_LARGE');
    expect(codeOf(() => readXml(xml, { maxBytes: xml.length }))).toBeUndefined();
  });

  it('counts the size in UTF-8 bytes, not characters', () => {
    const xml = `<r>${'é'.repeat(60)}</r>`;
    expect(xml.length).toBeLessThan(100);
    expect(codeOf(() => readXml(xml, { maxBytes: 100 }))).toBe('XML_TOO_LARGE');
  });

  it('refuses an oversized hostile document with TOO_LARGE rather than FORBIDDEN', () => {
    expect(codeOf(() => readXml(BILLION_LAUGHS, { maxBytes: 64 }))).toBe('XML_TOO_LARGE');
  });

  // A stack overflow would surface as another code; a slow parse hits the test timeout.
  it('refuses 100k nested elements without a stack overflow', () => {
    const depth = 100_000;
    const xml = '<a>'.repeat(depth) + '</a>'.repeat(depth);
    expect(codeOf(() => readXml(xml))).toBe('XML_TOO_DEEP');
  });

  it('refuses nesting one level over a custom limit', () => {
    const xml = '<a>'.repeat(6) + '</a>'.repeat(6);
    expect(codeOf(() => readXml(xml, { maxDepth: 5 }))).toBe('XML_TOO_DEEP');
  });

  it.each([
    ['an empty string', ''],
    ['only whitespace', ' \n\t'],
    ['an unclosed tag', '<r><a></r>'],
    ['an unclosed root', '<r>'],
    ['mismatched tags', '<r><a></b></r>'],
    ['two roots', '<a/><b/>'],
    ['text before the root', 'hello<r/>'],
    ['text after the root', '<r/>hello'],
    ['binary garbage', '\u0000\u0001\u0002\u00ff\u0003garbage'],
    [
      'random bytes read as Latin-1',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).toString('latin1'),
    ],
    ['plain text', 'not xml at all'],
    ['an unbound element prefix', '<p:r/>'],
    ['an unbound attribute prefix', '<r p:a="1"/>'],
    ['a prefix bound to the empty string', '<r xmlns:p=""/>'],
    ['a name with two colons', '<a:b:c xmlns:a="urn:a"/>'],
    ['the xmlns prefix on an element', '<xmlns:r/>'],
    ['a duplicate attribute', '<r a="1" a="2"/>'],
    ['a duplicate expanded attribute', '<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>'],
    ['an unquoted attribute', '<r a=1/>'],
    ['an attribute without value', '<r checked/>'],
    ['a bare ampersand', '<r>fish & chips</r>'],
    ['a bare ampersand in an attribute', '<r a="fish & chips"/>'],
    ['a character reference to NUL', '<r>&#0;</r>'],
    ['a character reference to a surrogate', '<r>&#xD800;</r>'],
    ['a character reference out of range', '<r>&#x110000;</r>'],
    ['a < inside an attribute value', '<r a="<"/>'],
    ['an unclosed comment', '<r><!-- never closed</r>'],
    ['a double hyphen in a comment', '<r><!-- a -- b --></r>'],
    ['an unclosed CDATA section', '<r><![CDATA[ never closed</r>'],
    [']]> in text', '<r>a]]>b</r>'],
    ['a malformed XML declaration', '<?xml version="2.0" foo="bar"?><r/>'],
    ['a lone surrogate', '<r>\uD800</r>'],
    ['an invalid tag name', '<1r/>'],
    ['an XML declaration after whitespace', ' <?xml version="1.0"?><r/>'],
    ['a second XML declaration', '<?xml version="1.0"?><r><?xml version="1.0"?></r>'],
  ])('refuses %s with XML_MALFORMED', (_name, xml) => {
    expect(codeOf(() => readXml(xml))).toBe('XML_MALFORMED');
  });
});

// The one-pass reader (issue 9) does the well-formedness checks a validator did before.
describe('readXml well-formedness in one pass', () => {
  it.each([
    ['an end tag without a start tag', '</r>'],
    ['an end tag after the root', '<r/></r>'],
    ['CDATA outside the root', '<![CDATA[x]]><r/>'],
    ['attributes without space between them', '<r a="1"b="2"/>'],
    ['an unclosed attribute value', '<r a="1/>'],
    ['an end tag with another prefix', '<a:r xmlns:a="urn:a"></r>'],
    ['a start tag cut off at the end', '<r'],
    ['an end tag cut off at the end', '<r></r'],
    ['space before the name', '< r/>'],
    ['a slash not before >', '<r/ >'],
    ['attributes on an end tag', '<r></r a="1">'],
    ['a duplicate namespace declaration', '<r xmlns:p="urn:1" xmlns:p="urn:2"/>'],
  ])('refuses %s with XML_MALFORMED', (_name, xml) => {
    expect(codeOf(() => readXml(xml))).toBe('XML_MALFORMED');
  });

  it('normalises line ends first: CR and CRLF become LF, in attributes one space', () => {
    const root = readXml('<r a="x\r\ny\rz">a\rb\r\nc<![CDATA[d\r\ne]]></r>');
    expect(root.attributes[0]?.value).toBe('x y z');
    expect(root.children).toEqual(['a\nb\ncd\ne']);
  });

  it('accepts space in end tags, non-ASCII names and references to markup characters', () => {
    const root = readXml('<ü a="&#60;&#x3E;">&#x41;</ü >');
    expect(root).toMatchObject({ name: 'ü', attributes: [{ name: 'a', value: '<>' }] });
    expect(root.children).toEqual(['A']);
  });
});
