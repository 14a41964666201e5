import { AppError } from '../errors.js';
import { quoteForMessage } from './xml-node.js';

const DATE_TIME =
  /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses an `xs:dateTime` with any offset (`Z`, `+02:00`); without an offset the time is
 * taken as UTC so the result does not depend on the host's zone. Digits after the
 * milliseconds are dropped. XML_INVALID for anything else.
 */
export function parseXmlDateTime(text: string, what: string): Date {
  const match = DATE_TIME.exec(text.trim());
  const invalid = (): AppError =>
    new AppError('XML_INVALID', `${what} is not an xs:dateTime: ${quoteForMessage(text)}`);
  if (!match) throw invalid();
  const [
    ,
    year = '',
    month = '',
    day = '',
    hour = '',
    minute = '',
    second = '',
    fraction = '',
    zone = 'Z',
  ] = match;
  const fields = [Number(month), Number(day), Number(hour), Number(minute), Number(second)];
  const [mo = 0, d = 0, h = 0, mi = 0, s = 0] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) throw invalid();
  const date = new Date(0);
  date.setUTCFullYear(Number(year), mo - 1, d);
  if (date.getUTCDate() !== d) throw invalid();
  date.setUTCHours(h, mi, s, Number(fraction.slice(0, 3).padEnd(3, '0')));
  const offsetMinutes =
    zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) *
        (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const result = new Date(date.getTime() - offsetMinutes * 60_000);
  if (Number.isNaN(result.getTime())) throw invalid();
  return result;
}

/** `2024-10-01T09:10:00.120Z`: ISO-8601 in UTC with milliseconds, as a UTC JVM writes it. */
export function formatXmlDateTime(date: Date, what: string): string {
  if (Number.isNaN(date.getTime()))
    throw new AppError('INVALID_INPUT', `${what} is an invalid date`);
  return date.toISOString();
}
