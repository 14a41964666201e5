import { z } from 'zod';
import { urlCheckSchema } from '../contract/reply.js';
import { AppError } from '../errors.js';
import { jobProgressSchema } from '../contract/progress.js';
import { JOB_STATUSES, type Job } from '../opencast/model.js';

const date = z.iso.datetime({ offset: true }).transform((text) => new Date(text));
const optionalText = z.string().optional();

// What a store keeps: the job with its dates as ISO text. Parsed on the way out, because a
// shared store may hold records another version of the service wrote.
const jobRecordSchema = z.object({
  id: z.string().min(1),
  version: z.number().int().min(1),
  type: z.string(),
  status: z.enum(JOB_STATUSES),
  creator: optionalText,
  organization: optionalText,
  url: optionalText,
  operation: optionalText,
  args: z.array(z.string()).optional(),
  createdHost: optionalText,
  processingHost: optionalText,
  dateCreated: date.optional(),
  dateStarted: date.optional(),
  dateCompleted: date.optional(),
  parentJobId: optionalText,
  rootJobId: optionalText,
  queueTime: z.number().optional(),
  runTime: z.number().optional(),
  payload: optionalText,
  dispatchable: z.boolean(),
  jobLoad: z.number().optional(),
  urlChecks: z.array(urlCheckSchema).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  progress: jobProgressSchema.optional(),
});

/** A job as the text a store keeps (JSON, dates as ISO 8601). */
export function encodeJobRecord(job: Job): string {
  return JSON.stringify(job);
}

/** A stored record back into a job; INTERNAL when the text is not one (never a silent undefined). */
export function decodeJobRecord(text: string): Job {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('INTERNAL', 'A stored job record is not JSON', { cause });
  }
  const result = jobRecordSchema.safeParse(json);
  if (!result.success) {
    throw new AppError('INTERNAL', `A stored job record is malformed: ${result.error.message}`);
  }
  return result.data;
}

/**
 * Encodes a job and checks its size: a record over `maxBytes` is refused with
 * PAYLOAD_TOO_LARGE (413), so one job cannot fill a shared store.
 */
export function encodeWithinLimit(job: Job, maxBytes: number): string {
  const text = encodeJobRecord(job);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `The record of job ${job.id} would take ${bytes} bytes, more than JOB_MAX_BYTES (${maxBytes})`,
    );
  }
  return text;
}
