import { randomInt } from 'node:crypto';

/**
 * Creates job ids: decimal strings of positive 63-bit integers, as Opencast parses job ids
 * as Java `long`. Milliseconds since 2020 in the high bits and 22 random bits below keep
 * ids unique across processes without coordination (a collision needs two ids in the same
 * millisecond with the same 22 random bits) and roughly ordered by time. 41 bits of
 * milliseconds stay below 2^63 until about 2089.
 */
export function createJobIdGenerator(now: () => number = Date.now): () => string {
  const epoch = Date.UTC(2020, 0, 1);
  return () => {
    const millis = BigInt(Math.max(0, now() - epoch));
    return ((millis << 22n) | BigInt(randomInt(0, 1 << 22))).toString();
  };
}
