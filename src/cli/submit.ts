/** `ocs3 distribute` and `ocs3 retract`: one request to the service's Opencast API. */
import { isAppError } from '../errors.js';
import { parseJob } from '../opencast/job-xml.js';
import { parseMediaPackage } from '../opencast/mediapackage.js';
import { CliError, EXIT } from './cli-error.js';
import type { CliIo } from './io.js';
import { followJob } from './job-follow.js';
import { errorOf, type ServiceClient } from './service-client.js';

/** The largest mediapackage file the tool reads (the service takes less by default). */
export const MAX_MEDIAPACKAGE_BYTES = 64 * 1024 * 1024;

/** What to submit. */
export interface Submission {
  readonly operation: 'distribute' | 'retract';
  readonly mediapackage: string;
  readonly channel: string;
  /** Empty: every track, catalog and attachment of the mediapackage. */
  readonly elements: readonly string[];
  readonly checkAvailability: boolean;
}

/** The element ids to send: those named, else the mediapackage's publishable ones. */
export function elementIdsOf(submission: Submission): string[] {
  if (submission.elements.length > 0) return [...submission.elements];
  let ids: string[];
  try {
    ids = parseMediaPackage(submission.mediapackage, { maxBytes: MAX_MEDIAPACKAGE_BYTES })
      .elements.filter((element) => element.elementType !== 'publication')
      .map((element) => element.id);
  } catch (error) {
    const message = isAppError(error) || error instanceof Error ? error.message : String(error);
    throw new CliError(`The mediapackage cannot be read: ${message}`);
  }
  if (ids.length === 0) {
    throw new CliError('The mediapackage has no track, catalog or attachment; name --element');
  }
  return ids;
}

/** The form fields Opencast's remote proxy sends. */
export function formOf(submission: Submission, elementIds: readonly string[]): URLSearchParams {
  const form = new URLSearchParams({
    channelId: submission.channel,
    mediapackage: submission.mediapackage,
    elementId: JSON.stringify(elementIds),
  });
  if (submission.operation === 'distribute') {
    form.set('checkAvailability', String(submission.checkAvailability));
  }
  return form;
}

/** The route of an operation, sync or not. */
export function routeOf(operation: 'distribute' | 'retract', sync: boolean): string {
  if (operation === 'distribute')
    return sync ? '/distribution/s3/distributesync' : '/distribution/s3';
  return sync ? '/distribution/s3/retractsync' : '/distribution/s3/retract';
}

/**
 * Sends the request. Async: prints the job id (then follows the job with `follow`). Sync:
 * prints the elements' XML the service answers. Resolves with the exit status.
 */
export async function submit(
  client: ServiceClient,
  submission: Submission,
  mode: { readonly sync: boolean; readonly follow: boolean; readonly intervalMs: number },
  io: CliIo,
): Promise<number> {
  const ids = elementIdsOf(submission);
  if (submission.elements.length === 0) io.err.write(`elements: ${ids.join(', ')}\n`);
  const response = await client.post(
    routeOf(submission.operation, mode.sync),
    formOf(submission, ids),
  );
  if (response.status !== 200) {
    const jobId = response.headers.get('x-job-id');
    throw new CliError(
      `${submission.operation}: ${errorOf(response)}${jobId === null ? '' : ` (job ${jobId})`}`,
      response.status === 503 ? EXIT.unreachable : EXIT.failed,
    );
  }
  if (mode.sync) {
    io.out.write(`${response.body}\n`);
    return EXIT.ok;
  }
  let id: string;
  try {
    id = parseJob(response.body).id;
  } catch {
    throw new CliError(`${submission.operation}: the service answered 200 without a job`);
  }
  io.out.write(`${id}\n`);
  return mode.follow ? followJob(client, id, mode.intervalMs, io) : EXIT.ok;
}
