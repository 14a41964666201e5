/**
 * Settles like `promise`, or rejects with `onTimeout()` after `ms` milliseconds. The timer
 * is cleared either way, so it never keeps the process alive.
 */
export function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(onTimeout());
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Waits until `promise` settles or `ms` milliseconds pass, whichever is first; never rejects. */
export async function waitAtMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise.then(noop, noop), elapsed]);
  clearTimeout(timer);
}

function noop(): void {
  // Settling is all that matters here.
}
