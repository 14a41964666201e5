import { z } from 'zod';
import { errorCodes, type ErrorCode } from '../errors.js';
import { jobProgressSchema } from './progress.js';
import type { EncodedMessage } from './properties.js';

// A code this build does not know (a newer worker) still fails the job, as INTERNAL.
export const errorCodeSchema = z
  .string()
  .transform((code): ErrorCode =>
    Object.hasOwn(errorCodes, code) ? (code as ErrorCode) : 'INTERNAL',
  );

/** The check of one published URL (see `PublishedUrlCheck`), with its element and URL. */
export const urlCheckSchema = z.object({
  elementId: z.string(),
  url: z.string(),
  result: z.enum(['available', 'unavailable', 'unreachable']),
  detail: z.string(),
});

export type ElementUrlCheck = z.infer<typeof urlCheckSchema>;

/** A worker's reply to the requester of a command (the API process), on its reply queue. */
export const jobReplySchema = z.object({
  version: z.literal(1),
  jobId: z.string().min(1),
  status: z.enum(['RUNNING', 'FINISHED', 'FAILED']),
  time: z.iso.datetime({ offset: true }),
  payload: z.string().optional(),
  error: z
    .object({ code: errorCodeSchema, message: z.string(), retryable: z.boolean() })
    .optional(),
  /** Distribute with checkAvailability: what the check of each published URL found. */
  urlChecks: z.array(urlCheckSchema).optional(),
  /**
   * RUNNING only: how far the upload got. Sent at most once per PROGRESS_INTERVAL_MS and
   * only when it changed; older API processes ignore the field.
   */
  progress: jobProgressSchema.optional(),
});

export type JobReply = z.infer<typeof jobReplySchema>;

/**
 * Encodes a reply; its message id is stable per job and status, for de-duplication. A
 * progress report names its position, so that de-duplication never drops a newer one.
 */
export function encodeReply(reply: JobReply, correlationId: string): EncodedMessage {
  const { progress } = reply;
  const messageId =
    progress === undefined
      ? `${reply.jobId}:${reply.status}`
      : `${reply.jobId}:progress:${progress.elementsDone}:${progress.bytesDone}`;
  return {
    body: Buffer.from(JSON.stringify(reply)),
    properties: {
      messageId,
      correlationId,
      type: 'job-reply',
    },
  };
}

/** Decodes a reply body; undefined when it is not one (a reply queue only logs those). */
export function decodeReply(body: Buffer): JobReply | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  const result = jobReplySchema.safeParse(json);
  return result.success ? result.data : undefined;
}
