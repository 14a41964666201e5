import { describe, expect, it } from 'vitest';
import { formatJavaFloat, parseXmlFloat } from '../../../src/opencast/java-float.js';
import { isJavaLong } from '../../../src/opencast/java-long.js';
import { formatXmlDateTime, parseXmlDateTime } from '../../../src/opencast/xml-datetime.js';

describe('formatJavaFloat', () => {
  it.each([
    [0.1, '0.1'],
    [1, '1.0'],
    [0.5, '0.5'],
    [100, '100.0'],
    [1234567, '1234567.0'],
    [0.001, '0.001'],
    [1e7, '1.0E7'],
    [1.5e-4, '1.5E-4'],
    [1 / 3, '0.33333334'],
    [0.3, '0.3'],
    [-2.25, '-2.25'],
    [3.4028235e38, '3.4028235E38'],
    [0, '0.0'],
    [-0, '-0.0'],
    [Number.NaN, 'NaN'],
    [Infinity, 'INF'],
    [-Infinity, '-INF'],
    [1e39, 'INF'],
  ])('writes %d as %s', (value, text) => {
    expect(formatJavaFloat(value)).toBe(text);
  });

  it('reads xs:float texts', () => {
    expect(parseXmlFloat(' 0.1 ', 'x')).toBe(0.1);
    expect(parseXmlFloat('1.0E-1', 'x')).toBe(0.1);
    expect(parseXmlFloat('-INF', 'x')).toBe(-Infinity);
    expect(parseXmlFloat('NaN', 'x')).toBeNaN();
    expect(() => parseXmlFloat('0x10', 'x')).toThrow(
      expect.objectContaining({ code: 'XML_INVALID' }),
    );
    expect(() => parseXmlFloat('', 'x')).toThrow(expect.objectContaining({ code: 'XML_INVALID' }));
  });
});

describe('isJavaLong', () => {
  it.each(['0', '-1', '4711', '9223372036854775807', '-9223372036854775808'])(
    'accepts %s',
    (text) => {
      expect(isJavaLong(text)).toBe(true);
    },
  );

  it.each([
    '',
    '-',
    '+1',
    '1.0',
    '1e3',
    ' 1',
    '9223372036854775808',
    '-9223372036854775809',
    '12345678901234567890',
    'abc',
  ])('refuses %j', (text) => {
    expect(isJavaLong(text)).toBe(false);
  });
});

describe('xs:dateTime', () => {
  it.each([
    ['2024-10-01T12:00:00.123+02:00', '2024-10-01T10:00:00.123Z'],
    ['2024-10-01T09:10:00.120Z', '2024-10-01T09:10:00.120Z'],
    ['2024-10-01T09:10:00Z', '2024-10-01T09:10:00.000Z'],
    ['2024-10-01T09:10:00', '2024-10-01T09:10:00.000Z'],
    ['2024-10-01T09:10:00.1234567-05:30', '2024-10-01T14:40:00.123Z'],
    ['0099-01-01T00:00:00Z', '0099-01-01T00:00:00.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseXmlDateTime(text, 'x').toISOString()).toBe(iso);
  });

  it.each([
    '',
    'yesterday',
    '2024-02-30T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-10-01 09:10:00Z',
    '2024-10-01T25:00:00Z',
    '2024-10-01T09:10:00+0200',
  ])('refuses %j', (text) => {
    expect(() => parseXmlDateTime(text, 'x')).toThrow(
      expect.objectContaining({ code: 'XML_INVALID' }),
    );
  });

  it('writes UTC with milliseconds', () => {
    expect(formatXmlDateTime(new Date(Date.UTC(2024, 9, 1, 9, 10, 0, 120)), 'x')).toBe(
      '2024-10-01T09:10:00.120Z',
    );
    expect(() => formatXmlDateTime(new Date(Number.NaN), 'x')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
