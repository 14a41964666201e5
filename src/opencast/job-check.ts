import { AppError } from '../errors.js';
import { isJavaLong } from './java-long.js';
import { JOB_STATUSES, type Job, type JobStatus } from './model.js';
import { quoteForMessage } from './xml-node.js';

/** Whether a text is one of the eleven `Job.Status` names. */
export function isJobStatus(text: string): text is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(text);
}

/** Refuses, with INVALID_INPUT, a job that Opencast could not read back. */
export function assertWritableJob(job: Job): void {
  const bad = (what: string): AppError =>
    new AppError('INVALID_INPUT', `Cannot write job ${quoteForMessage(job.id)}: ${what}`);
  if (!isJavaLong(job.id)) throw bad('the id is not a 64-bit integer');
  if (!isJobStatus(job.status)) throw bad(`unknown status ${quoteForMessage(String(job.status))}`);
  const longs = { parentJobId: job.parentJobId, rootJobId: job.rootJobId };
  for (const [name, value] of Object.entries(longs)) {
    if (value !== undefined && !isJavaLong(value)) throw bad(`${name} is not a 64-bit integer`);
  }
  const integers = { version: job.version, queueTime: job.queueTime, runTime: job.runTime };
  for (const [name, value] of Object.entries(integers)) {
    if (value !== undefined && !Number.isSafeInteger(value)) throw bad(`${name} is not an integer`);
  }
}
