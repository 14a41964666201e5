import { AppError } from '../errors.js';
import { quoteForMessage } from './xml-node.js';

const XS_FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Writes a number as JAXB writes a Java `float`: `NaN`, `INF`, `-INF`, or `Float.toString`
 * (the shortest digits that read back as the same float, with at least one fractional
 * digit: `0.1`, `1.0`, `1.0E7`, `1.0E-4`).
 */
export function formatJavaFloat(value: number): string {
  const float = Math.fround(value);
  if (Number.isNaN(float)) return 'NaN';
  if (float === Infinity) return 'INF';
  if (float === -Infinity) return '-INF';
  if (float === 0) return Object.is(float, -0) ? '-0.0' : '0.0';
  const [mantissa = '0', exponentText = '0'] = shortestExponential(float).split('e');
  const exponent = Number(exponentText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const magnitude = Math.abs(float);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
  }
  return `${sign}${digits.charAt(0)}.${digits.slice(1) || '0'}E${exponent}`;
}

/** The shortest `toExponential` form that rounds back to the same 32-bit float. */
function shortestExponential(float: number): string {
  for (let fractionDigits = 0; fractionDigits < 9; fractionDigits++) {
    const text = float.toExponential(fractionDigits);
    if (Math.fround(Number(text)) === float) return text;
  }
  return float.toExponential(8);
}

/** Parses an `xs:float` (including `INF`, `-INF`, `NaN`); XML_INVALID otherwise. */
export function parseXmlFloat(text: string, what: string): number {
  const trimmed = text.trim();
  if (trimmed === 'INF' || trimmed === '+INF') return Infinity;
  if (trimmed === '-INF') return -Infinity;
  if (trimmed === 'NaN') return NaN;
  if (!XS_FLOAT.test(trimmed)) {
    throw new AppError('XML_INVALID', `${what} is not a number: ${quoteForMessage(text)}`);
  }
  return Number(trimmed);
}
