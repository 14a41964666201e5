/**
 * The Opencast-mode job flow of the HTTP adapter (protocol §3 steps 6-8): an async request
 * becomes a job in Opencast's registry, and a job becomes a command once it is RUNNING
 * there, either at once (`immediate`) or when Opencast's dispatcher hands it over.
 */
import type { Logger } from 'pino';
import type { Command, CommandRequest } from '../contract/command.js';
import { COMMAND_VERSION } from '../contract/command.js';
import type { EncodedCommand } from '../contract/command-codec.js';
import { AppError, isAppError } from '../errors.js';
import { JOB_TYPE, type JobRequest } from '../jobs/job-service.js';
import type { Job, JobStatus } from '../opencast/model.js';
import { commandFromJob, jobArguments } from './job-arguments.js';
import { asRunning } from './job-status.js';
import type { CreateJobInput, StoredJob } from './registry-jobs.js';
import type { JobChange, UpdateResult } from './update-job.js';

/** The registry calls the flow makes (a RegistryClient). */
export interface JobRegistry {
  createJob(input: CreateJobInput): Promise<Job>;
  getJob(id: string): Promise<StoredJob | undefined>;
  updateJob(id: string, change: JobChange): Promise<UpdateResult>;
}

/** What the flow needs. */
export interface OpencastJobFlowDeps {
  readonly registry: JobRegistry;
  /** H, the host string this service is registered under. */
  readonly host: string;
  /** `opencast`: create jobs QUEUED for the dispatcher; `immediate`: run them at once. */
  readonly dispatch: 'opencast' | 'immediate';
  readonly jobLoads: { readonly distribute: number; readonly retract: number };
  readonly defaultOrganization: string;
  /** Publishes a command; resolves once the broker confirmed it. */
  readonly send: (message: EncodedCommand) => Promise<void>;
  /** Checks a command's content without I/O, as for a request (XML, ids, keys, sources). */
  readonly validate: (request: CommandRequest) => void;
  readonly logger: Logger;
}

/** The request context headers forwarded to the registry. */
export interface Forwarded {
  readonly organization?: string | undefined;
  readonly user?: string | undefined;
}

/** How a dispatch went, unless it threw. */
export type DispatchOutcome =
  { readonly accepted: true } | { readonly accepted: false; readonly reason: string };

/** Statuses in which the dispatcher hands a job over (it persists DISPATCHING first). */
const DISPATCHABLE: ReadonlySet<JobStatus> = new Set(['QUEUED', 'RESTART', 'DISPATCHING']);
/** The status of a job created with start=false, run at once. */
const INSTANTIATED: ReadonlySet<JobStatus> = new Set(['INSTANTIATED']);

/** The encoded command of an Opencast job: no reply queue, its status goes to the registry. */
export function encodeOpencastCommand(command: Command): EncodedCommand {
  return {
    routingKey: command.type,
    body: Buffer.from(JSON.stringify(command)),
    properties: { messageId: command.jobId, correlationId: command.jobId, type: command.type },
  };
}

/** Creates, dispatches and starts Opencast jobs. */
export class OpencastJobFlow {
  constructor(private readonly deps: OpencastJobFlowDeps) {}

  /**
   * Creates the registry's job for a validated request, forwarding the caller's context
   * (organization, user, current job as parent). `opencast`: the job is QUEUED for the
   * dispatcher. `immediate`: it is set RUNNING and its command published; if the broker
   * certainly did not take it, the job goes back to the dispatcher as QUEUED.
   */
  async submit(request: JobRequest, forwarded: Forwarded): Promise<Job> {
    const { parentJobId, ...fields } = request;
    const { operation, args } = jobArguments(fields);
    const start = this.deps.dispatch === 'opencast';
    const created = await this.deps.registry.createJob({
      jobType: JOB_TYPE,
      operation,
      args,
      jobLoad: this.deps.jobLoads[fields.type],
      start,
      organization: forwarded.organization,
      user: forwarded.user,
      currentJobId: parentJobId,
    });
    this.deps.logger.info({ jobId: created.id, operation, start }, 'Opencast job created');
    if (start) return created;
    const command: Command = {
      ...fields,
      version: COMMAND_VERSION,
      jobId: created.id,
      opencastJob: true,
    };
    const outcome = await this.#start(created.id, command, INSTANTIATED);
    if (outcome.job === undefined) {
      throw new AppError('INTERNAL', `Job ${created.id} changed before it could start`);
    }
    return outcome.job;
  }

  /**
   * Takes a job the dispatcher hands over: reads it, checks type and arguments (throws
   * JOB_NOT_RUNNABLE), sets it RUNNING and publishes its command. Not accepted (try another
   * node) when the job is not waiting for dispatch or the broker did not take the command.
   */
  async dispatch(id: string): Promise<DispatchOutcome> {
    const stored = await this.deps.registry.getJob(id);
    if (stored === undefined) throw new AppError('JOB_NOT_FOUND', `No job ${id} in the registry`);
    const { job } = stored;
    // State first: a 412 makes Opencast fail the job, which must not hit one that is running.
    if (!this.#waitsForUs(job)) {
      return { accepted: false, reason: `Job ${id} is ${job.status}, not waiting for dispatch` };
    }
    const command = commandFromJob(job, this.deps.defaultOrganization);
    try {
      const { version: _v, jobId: _j, opencastJob: _o, ...request } = command;
      this.deps.validate(request);
    } catch (error) {
      if (isAppError(error) && !error.retryable) {
        throw new AppError('JOB_NOT_RUNNABLE', `Job ${id} cannot run here: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
    const outcome = await this.#start(id, command, DISPATCHABLE);
    if (outcome.job === undefined) {
      return { accepted: false, reason: outcome.reason };
    }
    return outcome.job.status === 'RUNNING'
      ? { accepted: true }
      : {
          accepted: false,
          reason: `Job ${id} went back to the dispatcher: the broker is unavailable`,
        };
  }

  #waitsForUs(job: Job): boolean {
    if (!DISPATCHABLE.has(job.status)) return false;
    // The dispatcher names the processor it offers a DISPATCHING job to.
    return (
      job.status !== 'DISPATCHING' ||
      job.processingHost === undefined ||
      job.processingHost === this.deps.host
    );
  }

  /**
   * RUNNING in the registry first (Java's acceptJob persists it before answering), then the
   * command. A publish that certainly failed hands the job back to the dispatcher (QUEUED,
   * dispatchable) and resolves with that job; an unconfirmed one may still run, so the job
   * stays RUNNING and the error propagates.
   */
  async #start(
    id: string,
    command: Command,
    from: ReadonlySet<JobStatus>,
  ): Promise<{ job: Job; reason?: undefined } | { job?: undefined; reason: string }> {
    const { registry, host, logger } = this.deps;
    const running = await registry.updateJob(id, (current) =>
      from.has(current.status) ? asRunning(current, host) : undefined,
    );
    if (running.outcome === 'missing') {
      throw new AppError('JOB_NOT_FOUND', `Job ${id} is no longer in the registry`);
    }
    if (running.outcome === 'skipped') {
      return { reason: `Job ${id} is ${running.job.status}, not waiting to start` };
    }
    try {
      await this.deps.send(encodeOpencastCommand(command));
      logger.info({ jobId: id, operation: command.type }, 'Opencast job started');
      return { job: running.job };
    } catch (error) {
      if (!isAppError(error) || error.code !== 'BROKER_UNAVAILABLE') throw error;
      logger.warn({ err: error, jobId: id }, 'command not published; job back to the dispatcher');
      const back = await registry
        .updateJob(id, (current) =>
          current.status === 'RUNNING' && current.processingHost === host
            ? { ...current, status: 'QUEUED', dispatchable: true, processingHost: undefined }
            : undefined,
        )
        .catch((err: unknown) => {
          logger.error({ err, jobId: id }, 'job left RUNNING: the registry refused it back');
          throw error;
        });
      if (back.outcome !== 'updated') throw error;
      return { job: back.job };
    }
  }
}
