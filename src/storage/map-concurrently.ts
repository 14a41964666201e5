/**
 * Bounded parallelism for the parts of a multipart copy.
 */
/**
 * Runs `task` over `items` with at most `limit` in flight and resolves with the results in
 * the order of `items`. The first failure aborts `stop` (so that tasks can cancel their
 * requests), lets the tasks in flight settle, and is then thrown.
 */
export async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  stop: AbortController,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !stop.signal.aborted) {
      const index = next;
      next += 1;
      try {
        results[index] = await task(items[index] as T);
      } catch (error) {
        // Aborting again keeps the first reason.
        stop.abort(error);
        return;
      }
    }
  };
  await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  // The first failure, not the aborts it caused in the other workers.
  if (stop.signal.aborted) throw stop.signal.reason;
  return results;
}
