const LONG = /^-?\d{1,19}$/;
const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** Whether a text is a decimal Java `long` (what Opencast parses job ids with). */
export function isJavaLong(text: string): boolean {
  if (!LONG.test(text)) return false;
  const value = BigInt(text);
  return value >= MIN_LONG && value <= MAX_LONG;
}
