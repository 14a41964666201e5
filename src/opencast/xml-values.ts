import { AppError } from '../errors.js';
import { quoteForMessage } from './xml-node.js';

// JAXB collapses whitespace around numbers and booleans before converting them.
const INTEGER = /^[+-]?\d+$/;

/** Parses an `xs:long` that must fit a JavaScript safe integer; XML_INVALID otherwise. */
export function parseXmlInteger(text: string, what: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!INTEGER.test(trimmed) || !Number.isSafeInteger(value)) {
    throw new AppError('XML_INVALID', `${what} is not an integer: ${quoteForMessage(text)}`);
  }
  return value;
}

/** Parses an `xs:boolean` (`true`, `false`, `1`, `0`); XML_INVALID otherwise. */
export function parseXmlBoolean(text: string, what: string): boolean {
  const trimmed = text.trim();
  if (trimmed === 'true' || trimmed === '1') return true;
  if (trimmed === 'false' || trimmed === '0') return false;
  throw new AppError('XML_INVALID', `${what} is not a boolean: ${quoteForMessage(text)}`);
}
