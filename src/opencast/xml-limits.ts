import { AppError } from '../errors.js';

/** Bounds applied to every XML document before it is parsed. */
export interface XmlLimits {
  /** Largest accepted document, in UTF-8 bytes. */
  readonly maxBytes: number;
  /** Deepest accepted element nesting; the root element is at depth 1. */
  readonly maxDepth: number;
}

/**
 * 5 MiB and 64 levels: a large mediapackage is a few hundred KiB and 7 levels deep. The
 * defaults of MAX_XML_BYTES and MAX_XML_DEPTH.
 */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 5 * 1024 * 1024,
  maxDepth: 64,
});

/**
 * The one range each limit may take, checked by config (MAX_XML_BYTES, MAX_XML_DEPTH) and by
 * {@link resolveXmlLimits}. The tree builder recurses once per level, so depth stays well
 * below what the call stack can take.
 */
export const XML_LIMIT_RANGE = Object.freeze({
  maxBytes: Object.freeze({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  maxDepth: Object.freeze({ min: 1, max: 1000 }),
});

/** Fills in defaults and checks that the limits are within {@link XML_LIMIT_RANGE}. */
export function resolveXmlLimits(limits: Partial<XmlLimits> = {}): XmlLimits {
  const maxBytes = limits.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth;
  assertInRange('maxBytes', maxBytes);
  assertInRange('maxDepth', maxDepth);
  return { maxBytes, maxDepth };
}

function assertInRange(name: keyof XmlLimits, value: number): void {
  const { min, max } = XML_LIMIT_RANGE[name];
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new AppError(
      'INVALID_INPUT',
      `XML limit ${name} must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
}
