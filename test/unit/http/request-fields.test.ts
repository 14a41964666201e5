import { describe, expect, it } from 'vitest';
import { parseElementIds, parseIdentifier } from '../../../src/http/request-fields.js';

const CHARS = 'may hold only letters, digits and - _ . : ; ( ) @ + ~';

function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('accepted');
}

// The refusals as zod words them: valid values take a faster path, refusals must not change.
describe('parseIdentifier', () => {
  it('accepts identifiers as they are', () => {
    expect(parseIdentifier('ok', 'x')).toBe('ok');
    expect(parseIdentifier('a-b_c.d:e;f(g)h@i+j~', 'x')).toBe('a-b_c.d:e;f(g)h@i+j~');
    expect(parseIdentifier('x'.repeat(255), 'x')).toBe('x'.repeat(255));
  });

  it.each([
    ['', "'' Too small: expected string to have >=1 characters"],
    ['a b', `'a b' ${CHARS}`],
    [' a ', `' a ' ${CHARS}`],
    ['é', `'é' ${CHARS}`],
    ['a/b', `'a/b' ${CHARS}`],
    ['.', "'.' must not be '.' or '..'"],
    ['..', "'..' must not be '.' or '..'"],
    ['x'.repeat(256), `'${'x'.repeat(80)}' Too big: expected string to have <=255 characters`],
  ])('refuses %j with the schema’s words', (value, message) => {
    expect(refusal(() => parseIdentifier(value, "Form field 'channelId'"))).toBe(
      `Form field 'channelId' ${message}`,
    );
  });
});

describe('parseElementIds', () => {
  it('accepts a JSON array or one bare id', () => {
    expect(parseElementIds('["t1","t2"]')).toEqual(['t1', 't2']);
    expect(parseElementIds(' t1 ')).toEqual(['t1']);
    expect(parseElementIds('null')).toEqual(['null']);
    const many = Array.from({ length: 1000 }, (_, n) => `e${n}`);
    expect(parseElementIds(JSON.stringify(many))).toEqual(many);
  });

  it.each([
    ['[]', '✖ must name at least one element'],
    ['["a","a"]', '✖ must not repeat an id'],
    ['["a b"]', `✖ ${CHARS};   → at [0]`],
    ['a b', `✖ ${CHARS};   → at [0]`],
    ['{"a":1}', `✖ ${CHARS};   → at [0]`],
    ['..', "✖ must not be '.' or '..';   → at [0]"],
    ['[1]', '✖ Invalid input: expected string, received number;   → at [0]'],
    ['[null]', '✖ Invalid input: expected string, received null;   → at [0]'],
    ['[', 'is not a valid JSON array'],
    [
      JSON.stringify(Array.from({ length: 1001 }, (_, n) => `e${n}`)),
      '✖ Too big: expected array to have <=1000 items',
    ],
    ['["a", "..", "a"]', "✖ must not repeat an id; ✖ must not be '.' or '..';   → at [1]"],
    [
      '["ok", ""]',
      `✖ Too small: expected string to have >=1 characters;   → at [1]; ✖ ${CHARS};   → at [1]`,
    ],
    [`["${'x'.repeat(256)}"]`, '✖ Too big: expected string to have <=255 characters;   → at [0]'],
  ])('refuses %j with the schema’s words', (value, message) => {
    expect(refusal(() => parseElementIds(value))).toBe(`Form field 'elementId' ${message}`);
  });
});
