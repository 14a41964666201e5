import type { Readiness } from '../http/health-routes.js';
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

/** Ready when the broker is connected and the storage check passes. */
export async function readiness(broker: Broker, storage: () => Promise<void>): Promise<Readiness> {
  const checks: Record<string, string> = {};
  checks.broker = broker.isConnected() ? 'ok' : 'disconnected';
  try {
    await storage();
    checks.storage = 'ok';
  } catch (error) {
    checks.storage = error instanceof Error ? error.message : String(error);
  }
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}
