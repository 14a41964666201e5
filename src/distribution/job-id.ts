import { randomBytes } from 'node:crypto';

/** Largest id handed out: 2^53 - 1, the largest integer a JavaScript number holds exactly. */
export const MAX_JOB_ID = Number.MAX_SAFE_INTEGER;

const ID_BYTES = 7;
// Random bytes for 512 ids at a time: one randomBytes call per id was 3% of the CPU of an
// async accept.
const POOL_BYTES = 512 * ID_BYTES;
let pool = Buffer.alloc(0);
let offset = 0;

/** 53 random bits as a number in [0, 2^53). */
function random53(): number {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const at = offset;
  offset += ID_BYTES;
  // 48 bits times 2^5 plus 5 more bits: 53 bits, exact in a double.
  return pool.readUIntBE(at, 6) * 32 + ((pool[at + 6] ?? 0) & 0x1f);
}

/**
 * Creates job ids for standalone mode: decimal strings of integers from 1 to 2^53 - 1.
 * Opencast parses ids as Java `long`, and JavaScript clients (Opencast's admin UI,
 * dashboards) read them as numbers, which round above 2^53; so ids stay JavaScript-safe.
 *
 * Ids are uniformly random, without a time prefix: with every bit random, two ids collide
 * only by chance, whichever processes made them and whenever (probability about n²/2^54
 * for n ids in total: 5.6e-5 for a million jobs). A time prefix would order ids but leave
 * fewer random bits for ids made in the same time slot, which is exactly when several
 * processes create jobs at once.
 * @param random 53 random bits as a number in [0, 2^53); injectable for tests.
 */
export function createJobIdGenerator(random: () => number = random53): () => string {
  return () => {
    let value = random();
    // 0 is not a valid Opencast job id; draw again (one chance in 2^53).
    while (value === 0) value = random();
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`job id source gave ${String(value)}, not an integer in [0, 2^53)`);
    }
    return String(value);
  };
}
