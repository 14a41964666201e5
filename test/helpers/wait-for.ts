/**
 * Awaits a condition instead of sleeping: tests wait exactly as long as the code needs,
 * and a condition that never comes fails with what was awaited rather than hanging.
 */

/** Polls `check` every `intervalMs` until it returns true; rejects after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
  what = 'condition',
  intervalMs = 10,
): Promise<void> {
  await waitForValue(async () => ((await check()) ? true : undefined), timeoutMs, what, intervalMs);
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined. */
export async function waitForValue<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 5_000,
  what = 'value',
  intervalMs = 10,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
