/**
 * Which objects a run may remove again. A run may only remove what it can prove is its own
 * and still unchanged: the object carries the run's id in its metadata, and its ETag is the
 * one the run's own write returned.
 */
import type { ObjectStat } from './ports.js';

/** User metadata name of the run that wrote an object (`x-amz-meta-ocs3-run`). */
export const RUN_METADATA = 'ocs3-run';
/** User metadata name of the job whose run wrote an object (`x-amz-meta-ocs3-job`). */
export const JOB_METADATA = 'ocs3-job';

/** The metadata every object of a run carries. */
export function runMetadata(runId: string, jobId: string): Record<string, string> {
  return { [RUN_METADATA]: runId, [JOB_METADATA]: jobId };
}

/** Whether to delete an object on rollback, and why not. */
export type RemovalDecision =
  | { readonly remove: true; readonly etag: string }
  | { readonly remove: false; readonly reason: string };

/**
 * Decides about one object this run created. `current` is a HEAD taken right before the
 * delete, `ourEtag` what the run's write returned. The delete that follows should still be
 * conditional on the ETag, for a change between this HEAD and the delete.
 */
export function decideRemoval(
  current: ObjectStat | undefined,
  runId: string,
  ourEtag: string | undefined,
): RemovalDecision {
  if (current === undefined) return { remove: false, reason: 'the object is gone already' };
  const writer = current.metadata[RUN_METADATA];
  if (writer !== runId) {
    const by = writer === undefined ? 'no run id' : `run ${writer}`;
    return { remove: false, reason: `another run wrote it since (${by})` };
  }
  if (ourEtag === undefined) {
    return {
      remove: false,
      reason: 'the store sent no ETag for our write, so a change cannot be seen',
    };
  }
  if (current.etag !== ourEtag) {
    return { remove: false, reason: `its ETag changed since our write (${String(current.etag)})` };
  }
  return { remove: true, etag: ourEtag };
}
