import { AppError, withJobId, type ErrorInfo } from '../errors.js';
import {
  COMMAND_VERSION,
  operationName,
  type Command,
  type CommandRequest,
} from '../contract/command.js';
import { encodeCommand, type EncodedCommand } from '../contract/command-codec.js';
import type { JobReply } from '../contract/reply.js';
import type { Job } from '../opencast/model.js';
import type { JobStore } from './job-store.js';

/** Opencast's job type of this service (docs/opencast-wire-spec.md §4.1). */
export const JOB_TYPE = 'org.opencastproject.distribution.aws.s3';

/** Publishes an encoded command; resolves once the broker confirmed it. */
export type CommandSender = (message: EncodedCommand) => Promise<void>;

/** What a request asks for, validated by the HTTP adapter. */
export type JobRequest = CommandRequest & {
  readonly parentJobId?: string | undefined;
};

/** Dependencies of the {@link JobService}. */
export interface JobServiceDeps {
  readonly store: JobStore;
  readonly send: CommandSender;
  /** This process's reply queue, where workers report job progress. */
  readonly replyTo: () => string;
  readonly newJobId: () => string;
  readonly clock: () => Date;
  /** The URL of a job's resource, for the job XML `url`. */
  readonly jobUrl: (id: string) => string;
  readonly jobLoad: number;
  /** Sync requests waiting at once; more are refused with 503 (OVERLOADED). */
  readonly maxWaiters?: number | undefined;
}

/** A job in a terminal state, with the worker's error when it failed. */
export interface CompletedJob {
  readonly job: Job;
  readonly error?: ErrorInfo | undefined;
}

interface Waiter {
  readonly resolve: (completed: CompletedJob) => void;
  readonly reject: (error: AppError) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * Turns requests into commands and keeps Opencast-style job records of them, updated from
 * the workers' replies. Sync callers wait for a job's terminal reply.
 */
export class JobService {
  readonly #waiters = new Map<string, Waiter>();
  #closed = false;

  constructor(private readonly deps: JobServiceDeps) {}

  /** Creates a QUEUED job and publishes its command; resolves once the broker has it. */
  submit(request: JobRequest): Promise<Job> {
    return this.#submit(this.deps.newJobId(), request);
  }

  /** Submits and waits for the job's terminal state, at most `timeoutMs`. */
  async submitAndWait(request: JobRequest, timeoutMs: number): Promise<CompletedJob> {
    if (this.#closed) throw shuttingDown();
    const maxWaiters = this.deps.maxWaiters ?? 1000;
    if (this.#waiters.size >= maxWaiters) {
      throw new AppError('OVERLOADED', `${maxWaiters} sync requests are waiting already`);
    }
    const id = this.deps.newJobId();
    // Register the waiter before publishing: a fast worker may reply before `submit` returns.
    const done = this.#wait(id, timeoutMs);
    // Nobody awaits `done` until the publish is confirmed; a shutdown or timeout rejecting
    // it meanwhile must not count as an unhandled rejection (Node would exit).
    done.catch(() => undefined);
    try {
      await this.#submit(id, request);
    } catch (error) {
      this.#cancelWait(id);
      throw error;
    }
    // From here the job exists: a timeout or shutdown answer names it for correlation.
    return done.catch((error: unknown) => {
      throw withJobId(error, id);
    });
  }

  /** Refuses new requests and fails every waiting sync request with 503 (shutdown). */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#waiters.keys()]) {
      const waiter = this.#waiters.get(id);
      this.#cancelWait(id);
      waiter?.reject(shuttingDown());
    }
  }

  async #submit(id: string, request: JobRequest): Promise<Job> {
    if (this.#closed) throw shuttingDown();
    const { parentJobId, ...fields } = request;
    // The one place a command gets its id and version.
    const command: Command = { ...fields, version: COMMAND_VERSION, jobId: id };
    const job: Job = {
      id,
      version: 1,
      type: JOB_TYPE,
      status: 'QUEUED',
      creator: command.creator,
      organization: command.organization,
      url: this.deps.jobUrl(id),
      operation: operationName(command.type),
      args: jobArgs(command),
      dateCreated: this.deps.clock(),
      parentJobId,
      queueTime: 0,
      runTime: 0,
      dispatchable: true,
      jobLoad: this.deps.jobLoad,
    };
    this.deps.store.put(job);
    try {
      await this.deps.send(encodeCommand(command, this.deps.replyTo()));
    } catch (error) {
      this.update(id, (current) => ({ ...current, status: 'FAILED' }));
      // The job record exists (FAILED): the answer names it.
      throw withJobId(error, id);
    }
    return job;
  }

  get(id: string): Job | undefined {
    return this.deps.store.get(id);
  }

  /** Applies a worker's reply to the job it concerns; unknown jobs are ignored. */
  applyReply(reply: JobReply): void {
    const now = new Date(reply.time);
    const job = this.update(reply.jobId, (current) => {
      if (isTerminal(current)) return current;
      if (reply.status === 'RUNNING') {
        const created = current.dateCreated?.getTime() ?? now.getTime();
        return {
          ...current,
          status: 'RUNNING',
          dateStarted: now,
          queueTime: Math.max(0, now.getTime() - created),
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
      };
    });
    const terminal = reply.status !== 'RUNNING';
    const waiter = this.#waiters.get(reply.jobId);
    if (waiter !== undefined && terminal && (job === undefined || isTerminal(job))) {
      this.#cancelWait(reply.jobId);
      // The record may have been evicted from a full store; the reply alone still answers.
      waiter.resolve({ job: job ?? jobFromReply(reply), error: reply.error });
    }
  }

  private update(id: string, change: (job: Job) => Job): Job | undefined {
    const current = this.deps.store.get(id);
    if (current === undefined) return undefined;
    const next = change(current);
    if (next !== current) this.deps.store.put({ ...next, version: current.version + 1 });
    return this.deps.store.get(id);
  }

  #wait(id: string, timeoutMs: number): Promise<CompletedJob> {
    return new Promise<CompletedJob>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#cancelWait(id);
        reject(
          new AppError(
            'REPLY_TIMEOUT',
            `Job ${id} did not finish within ${timeoutMs} ms; it goes on, see /jobs/${id}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.set(id, { resolve, reject, timer });
    });
  }

  /** Forgets a waiter and stops its timer, so nothing fires for a request that is gone. */
  #cancelWait(id: string): void {
    const waiter = this.#waiters.get(id);
    if (waiter !== undefined) clearTimeout(waiter.timer);
    this.#waiters.delete(id);
  }
}

function jobFromReply(reply: JobReply): Job {
  return {
    id: reply.jobId,
    version: 1,
    type: JOB_TYPE,
    status: reply.status,
    payload: reply.payload,
    dispatchable: true,
  };
}

function shuttingDown(): AppError {
  return new AppError('SHUTTING_DOWN', 'The service is shutting down; try again');
}

/** The job arguments as Opencast stores them (docs/opencast-wire-spec.md §3.3). */
function jobArgs(command: Command): string[] {
  const ids = JSON.stringify(command.elementIds);
  return command.type === 'distribute'
    ? [command.channelId, command.mediapackage, ids, String(command.checkAvailability)]
    : [command.channelId, command.mediapackage, ids];
}

function isTerminal(job: Job): boolean {
  return (
    job.status === 'FINISHED' ||
    job.status === 'FAILED' ||
    job.status === 'DELETED' ||
    job.status === 'CANCELLED'
  );
}
