import type { Logger } from './logger.js';
import { decideRemoval } from './ownership.js';
import type { ObjectStore } from './ports.js';

/** An object a run created (the key held nothing before), with the ETag its write returned. */
export interface CreatedObject {
  readonly key: string;
  readonly etag: string | undefined;
}

/** How long a rollback may take in all: it runs after a failure, often of the store itself. */
export const ROLLBACK_TIMEOUT_MS = 30_000;

/**
 * Removes the objects a failed run created, but only those still provably its own: each is
 * checked with a HEAD right before its delete (see {@link decideRemoval}), and deleted with
 * `If-Match` on the ETag so a store that honours it refuses when the object changed in
 * between. Never throws: what cannot be removed is logged and left. Bounded by `signal`
 * (default: {@link ROLLBACK_TIMEOUT_MS}), so a hung store cannot hold a failed run.
 */
export async function removeCreated(
  created: readonly CreatedObject[],
  bucket: string,
  runId: string,
  store: ObjectStore,
  log: Logger,
  signal: AbortSignal = AbortSignal.timeout(ROLLBACK_TIMEOUT_MS),
): Promise<void> {
  for (const object of created) {
    try {
      const decision = decideRemoval(
        await store.statObject(bucket, object.key, signal),
        runId,
        object.etag,
      );
      if (!decision.remove) {
        log.info({ key: object.key, reason: decision.reason }, 'rollback leaves an object');
      } else if (!(await store.deleteObjectIfMatch(bucket, object.key, decision.etag, signal))) {
        const reason = 'it changed between the check and the delete (412)';
        log.info({ key: object.key, reason }, 'rollback leaves an object');
      }
    } catch (err) {
      log.error({ err, key: object.key }, 'could not remove a partly distributed element');
    }
  }
}
