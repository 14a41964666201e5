/** Text escaping as JAXB RI writes element content: `&`, `<`, `>` escaped, quotes left alone. */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `<name>text</name>`, or nothing when the value is undefined (JAXB omits null fields). */
export function el(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${escapeText(String(value))}</${name}>`;
}

/** The XML declaration JAXB writes in front of every document. */
export const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
