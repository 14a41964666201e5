/**
 * The arguments of this service's jobs in Opencast's registry, written as Java's
 * AwsS3DistributionServiceImpl writes them (channelId, mediapackage XML, Gson JSON of the
 * element ids, and for Distribute `checkAvailability`), and read back into a command when
 * the dispatcher hands a job over. Pure: no I/O.
 */
import { z } from 'zod';
import {
  COMMAND_VERSION,
  commandSchema,
  operationName,
  type Command,
  type CommandRequest,
} from '../contract/command.js';
import { AppError } from '../errors.js';
import { JOB_TYPE } from '../jobs/job-service.js';
import type { Job } from '../opencast/model.js';

/** The registry's `operation` and `arg` list of a request. */
export function jobArguments(request: CommandRequest): {
  operation: 'Distribute' | 'Retract';
  args: string[];
} {
  // Identifiers hold none of the characters Gson escapes, so JSON.stringify writes Gson's text.
  const ids = JSON.stringify(request.elementIds);
  const common = [request.channelId, request.mediapackage, ids];
  return {
    operation: operationName(request.type),
    args: request.type === 'distribute' ? [...common, String(request.checkAvailability)] : common,
  };
}

function notRunnable(job: Job, reason: string): AppError {
  return new AppError('JOB_NOT_RUNNABLE', `Job ${job.id} cannot run here: ${reason}`);
}

/**
 * The command that runs a job the dispatcher handed over, marked as an Opencast job.
 * Throws JOB_NOT_RUNNABLE naming what is wrong: another job type, an unknown operation,
 * missing or malformed arguments. Checks the form only; the caller validates the content
 * (XML, element ids, sources) as for a request.
 */
export function commandFromJob(job: Job, defaultOrganization: string): Command {
  if (job.type !== JOB_TYPE) throw notRunnable(job, `its type is ${job.type.slice(0, 100)}`);
  const args = job.args ?? [];
  const type =
    job.operation === 'Distribute'
      ? 'distribute'
      : job.operation === 'Retract'
        ? 'retract'
        : undefined;
  if (type === undefined) {
    throw notRunnable(job, `unknown operation '${(job.operation ?? '').slice(0, 50)}'`);
  }
  const expected = type === 'distribute' ? 4 : 3;
  if (args.length !== expected) {
    throw notRunnable(job, `${job.operation} takes ${expected} arguments, it has ${args.length}`);
  }
  const [channelId, mediapackage, ids, check] = args;
  let elementIds: unknown;
  try {
    elementIds = JSON.parse(ids ?? '');
  } catch {
    throw notRunnable(job, 'the element ids are not a JSON array');
  }
  const result = commandSchema.safeParse({
    version: COMMAND_VERSION,
    type,
    jobId: job.id,
    organization: job.organization ?? defaultOrganization,
    channelId,
    mediapackage,
    elementIds,
    creator: job.creator?.slice(0, 255),
    opencastJob: true,
    // Java's Boolean.parseBoolean: "true" in any case is true, anything else false.
    ...(type === 'distribute' ? { checkAvailability: check?.toLowerCase() === 'true' } : {}),
  });
  if (!result.success) {
    throw notRunnable(job, z.prettifyError(result.error).replace(/\n/g, '; '));
  }
  return result.data;
}
