import { AppError } from '../errors.js';

/** Bounds applied to every XML document before it is parsed. */
export interface XmlLimits {
  /** Largest accepted document, in UTF-8 bytes. */
  readonly maxBytes: number;
  /** Deepest accepted element nesting; the root element is at depth 1. */
  readonly maxDepth: number;
}

/** 10 MiB and 64 levels: a large mediapackage is a few hundred KiB and 7 levels deep. */
export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({
  maxBytes: 10 * 1024 * 1024,
  maxDepth: 64,
});

/**
 * The tree builder recurses once per level, so the depth limit itself is capped well below
 * what the call stack can take.
 */
const MAX_DEPTH_CEILING = 4096;

/** Fills in defaults and checks that the limits are sane. */
export function resolveXmlLimits(limits: Partial<XmlLimits> = {}): XmlLimits {
  const maxBytes = limits.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULT_XML_LIMITS.maxDepth;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) {
    throw new AppError(
      'INVALID_INPUT',
      `XML limit maxBytes must be a positive integer, got ${maxBytes}`,
    );
  }
  if (!Number.isSafeInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH_CEILING) {
    throw new AppError(
      'INVALID_INPUT',
      `XML limit maxDepth must be an integer from 1 to ${MAX_DEPTH_CEILING}, got ${maxDepth}`,
    );
  }
  return { maxBytes, maxDepth };
}
