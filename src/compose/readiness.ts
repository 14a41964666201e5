import type { Readiness } from '../http/health-routes.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Broker } from '../messaging/broker.js';

/** Remembers a result for `ms`, so frequent probes do not each reach S3. */
export function cached<T>(ms: number, compute: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last === undefined || now - last.at > ms) last = { at: now, value: compute() };
    return last.value;
  };
}

/** Ready when the broker is connected and the storage (and job store) checks pass. */
export async function readiness(
  broker: Broker,
  storage: () => Promise<void>,
  jobStore?: JobStore,
): Promise<Readiness> {
  const checks: Record<string, string> = {};
  checks.broker = broker.isConnected() ? 'ok' : 'disconnected';
  checks.storage = await outcome(storage);
  if (jobStore !== undefined) checks.jobStore = await outcome(() => jobStore.check());
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}

async function outcome(check: () => Promise<void>): Promise<string> {
  try {
    await check();
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
