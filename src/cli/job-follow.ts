/** `ocs3 job`: one look at a job, or following it until it ends. */
import { z } from 'zod';
import { jobProgressSchema } from '../contract/progress.js';
import { CliError, EXIT } from './cli-error.js';
import type { CliIo } from './io.js';
import { progressLine, type JobView } from './progress-line.js';
import { errorOf, type ServiceClient } from './service-client.js';

const jobSchema = z.object({
  id: z.string(),
  status: z.string(),
  operation: z.string().optional(),
  args: z.array(z.string()).optional(),
  dateCreated: z.string().optional(),
  dateStarted: z.string().optional(),
  dateCompleted: z.string().optional(),
  progress: jobProgressSchema.optional(),
});

type Job = z.infer<typeof jobSchema>;

const TERMINAL = new Set(['FINISHED', 'FAILED', 'DELETED', 'CANCELLED']);
/** Failed looks in a row that `--follow` rides out (a restarting API process). */
const MAX_MISSES = 5;

/** Exit status of a job that ended: 0 only for FINISHED. */
export function exitFor(status: string): number {
  return status === 'FINISHED' ? EXIT.ok : EXIT.failed;
}

/** The job's JSON as the service answers it, and the parts this tool reads. */
export async function fetchJob(
  client: ServiceClient,
  id: string,
): Promise<{ job: Job; body: string }> {
  const response = await client.get(`/jobs/${id}.json`);
  if (response.status === 404) throw new CliError(`No job ${id} at ${client.url}`);
  if (response.status !== 200) {
    throw new CliError(
      `GET /jobs/${id}: ${errorOf(response)}`,
      response.status === 503 ? EXIT.unreachable : EXIT.failed,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    throw new CliError(`GET /jobs/${id} did not answer JSON`);
  }
  const parsed = jobSchema.safeParse(json);
  if (!parsed.success) throw new CliError(`GET /jobs/${id} answered something that is not a job`);
  return { job: parsed.data, body: response.body };
}

/** Prints a job once; resolves with the exit status (1 when it ended without success). */
export async function showJob(
  client: ServiceClient,
  id: string,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const { job, body } = await fetchJob(client, id);
  if (json) {
    io.out.write(`${body}\n`);
  } else {
    const lines = [
      progressLine(job, 0),
      job.operation === undefined ? undefined : `operation  ${job.operation}`,
      job.args?.[0] === undefined ? undefined : `channel    ${job.args[0]}`,
      job.dateCreated === undefined ? undefined : `created    ${job.dateCreated}`,
      job.dateStarted === undefined ? undefined : `started    ${job.dateStarted}`,
      job.dateCompleted === undefined ? undefined : `completed  ${job.dateCompleted}`,
    ];
    io.out.write(`${lines.filter((line) => line !== undefined).join('\n')}\n`);
  }
  return TERMINAL.has(job.status) ? exitFor(job.status) : EXIT.ok;
}

/**
 * Polls a job every `intervalMs` until it ends. On a terminal the line is redrawn in place
 * with a bar; otherwise a line is printed whenever it changes, so logs stay short.
 */
export async function followJob(
  client: ServiceClient,
  id: string,
  intervalMs: number,
  io: CliIo,
): Promise<number> {
  const tty = io.out.isTTY === true;
  const barWidth = tty ? Math.max(10, Math.min(40, (io.out.columns ?? 80) - 60)) : 0;
  let last: string | undefined;
  let misses = 0;
  for (;;) {
    let job: JobView;
    try {
      job = (await fetchJob(client, id)).job;
      misses = 0;
    } catch (error) {
      if (!(error instanceof CliError) || error.exitCode !== EXIT.unreachable) throw error;
      if (++misses >= MAX_MISSES) throw error;
      io.err.write(`${tty ? '\n' : ''}${error.message}; trying again\n`);
      await io.sleep(intervalMs);
      continue;
    }
    const line = progressLine(job, barWidth);
    if (tty) io.out.write(`\r${line}\u001b[K`);
    else if (line !== last) io.out.write(`${line}\n`);
    last = line;
    if (TERMINAL.has(job.status)) {
      if (tty) io.out.write('\n');
      return exitFor(job.status);
    }
    await io.sleep(intervalMs);
  }
}
