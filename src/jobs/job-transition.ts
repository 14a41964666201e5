import { sameProgress } from '../contract/progress.js';
import type { JobReply } from '../contract/reply.js';
import type { Job, JobError } from '../opencast/model.js';

/** Whether a job reached a state it never leaves. */
export function isTerminal(job: Job): boolean {
  return (
    job.status === 'FINISHED' ||
    job.status === 'FAILED' ||
    job.status === 'DELETED' ||
    job.status === 'CANCELLED'
  );
}

/**
 * The job after a worker's reply: RUNNING sets the start (and, with `progress`, how far the
 * upload got), FINISHED and FAILED end it with the payload. A terminal job stays as it is (returned unchanged), so replies applied twice
 * or out of order, by the API and by the worker, agree.
 */
export function jobAfterReply(current: Job, reply: JobReply): Job {
  if (isTerminal(current)) return current;
  const now = new Date(reply.time);
  if (reply.status === 'RUNNING') {
    const progress = reply.progress ?? current.progress;
    if (current.status === 'RUNNING') {
      // A progress report changes only the progress; one that says nothing new writes nothing.
      return sameProgress(progress, current.progress) ? current : { ...current, progress };
    }
    const created = current.dateCreated?.getTime() ?? now.getTime();
    return {
      ...current,
      status: 'RUNNING',
      dateStarted: now,
      queueTime: Math.max(0, now.getTime() - created),
      progress,
    };
  }
  const started = current.dateStarted?.getTime() ?? now.getTime();
  return {
    ...current,
    status: reply.status,
    dateStarted: current.dateStarted ?? now,
    dateCompleted: now,
    runTime: Math.max(0, now.getTime() - started),
    payload: reply.payload,
    urlChecks: reply.urlChecks,
    error: jobError(reply),
  };
}

/** A FAILED reply's reason, as the job keeps it (a failure without one says so). */
export function jobError(reply: JobReply): JobError | undefined {
  if (reply.status !== 'FAILED') return undefined;
  if (reply.error === undefined) {
    return { code: 'INTERNAL', message: `Job ${reply.jobId} failed; the worker gave no reason` };
  }
  return { code: reply.error.code, message: reply.error.message };
}
