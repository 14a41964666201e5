/** `scheduleWithFixedDelay` for the double's background rounds, one round at a time. */

/** A running loop. */
export interface Loop {
  /** Runs one round now (after any round in progress) and resolves when it is done. */
  runNow(): Promise<void>;
  /** Stops scheduling and waits for the round in progress. */
  stop(): Promise<void>;
}

/** Runs `round` every `intervalMs` after the previous round ended; `undefined` = on demand only. */
export function fixedDelayLoop(round: () => Promise<void>, intervalMs: number | undefined): Loop {
  let chain: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const enqueue = (): Promise<void> => {
    // A failing round must not stop the loop; the registry logs and carries on as well.
    chain = chain.then(round).catch(() => undefined);
    return chain;
  };
  const schedule = () => {
    if (stopped || intervalMs === undefined) return;
    timer = setTimeout(() => {
      void enqueue().then(schedule);
    }, intervalMs);
  };
  schedule();
  return {
    runNow: enqueue,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
  };
}
