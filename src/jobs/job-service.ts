import { AppError, isAppError, toErrorInfo, withJobId, type ErrorInfo } from '../errors.js';
import {
  COMMAND_VERSION,
  operationName,
  type Command,
  type CommandRequest,
} from '../contract/command.js';
import { encodeCommand, type EncodedCommand } from '../contract/command-codec.js';
import { errorCodeSchema, type JobReply } from '../contract/reply.js';
import type { Job } from '../opencast/model.js';
import type { JobStore } from './job-store.js';
import { isTerminal, jobAfterReply, jobError } from './job-transition.js';

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
  /** Told when a store write or read fails where the request still gets its answer. */
  readonly onStoreError?: ((error: unknown, jobId: string) => void) | undefined;
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

/** Answered to a sync caller still waiting when shutdown's grace ends: its job goes on. */
function stoppedWaiting(id: string): AppError {
  return new AppError(
    'REPLY_TIMEOUT',
    `Job ${id} did not finish before this API process stopped; it goes on, see /jobs/${id}`,
  );
}

/**
 * Turns requests into commands and keeps Opencast-style job records of them, updated from
 * the workers' replies. Sync callers wait for a job's terminal reply.
 */
export class JobService {
  readonly #waiters = new Map<string, Waiter>();
  #idle: (() => void)[] = [];
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

  /** Whether {@link close} was called: new requests are refused. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Refuses new requests with 503 (SHUTTING_DOWN); requests already waiting keep waiting.
   * The first step of a shutdown, followed by {@link drain}.
   */
  close(): void {
    this.#closed = true;
  }

  /**
   * Waits until no sync request waits any more, at most `graceMs`. Those still waiting then
   * (after one last look at the store) get 504 (REPLY_TIMEOUT) saying that their job goes
   * on: the command is in the queue or running, so "retry" would run it twice.
   */
  async drain(graceMs: number): Promise<void> {
    this.close();
    if (this.#waiters.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.#idle.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.recheckWaiters();
    for (const id of [...this.#waiters.keys()]) {
      const waiter = this.#waiters.get(id);
      this.#cancelWait(id);
      waiter?.reject(stoppedWaiting(id));
    }
  }

  /**
   * Answers every waiting request whose job the store shows finished. Called after the
   * reply queue came back from a broker outage: a worker that finished meanwhile wrote the
   * outcome to a shared store even when its reply found no queue.
   */
  async recheckWaiters(): Promise<void> {
    await Promise.all([...this.#waiters.keys()].map((id) => this.#answerFromStore(id)));
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
    // Stored before publishing: a store that cannot take the record refuses the request
    // while nothing has happened yet.
    await this.deps.store.put(job);
    try {
      await this.deps.send(encodeCommand(command, this.deps.replyTo()));
    } catch (error) {
      // Written but not confirmed: the command may run, so "retry" would run it twice. The
      // job stays QUEUED and goes on; its record and a sync caller follow the worker's reply.
      if (isAppError(error) && error.code === 'BROKER_UNCONFIRMED') return job;
      const { code, message } = toErrorInfo(error);
      await this.deps.store
        .update(id, (current) =>
          isTerminal(current)
            ? current
            : { ...current, status: 'FAILED', error: { code, message } },
        )
        .catch((storeError: unknown) => this.deps.onStoreError?.(storeError, id));
      // The job record exists (FAILED): the answer names it.
      throw withJobId(error, id);
    }
    return job;
  }

  get(id: string): Promise<Job | undefined> {
    return this.deps.store.get(id);
  }

  /**
   * Applies a worker's reply to the job it concerns; unknown jobs are ignored. Never
   * rejects: a store that fails is reported, and a waiting request is still answered.
   */
  async applyReply(reply: JobReply): Promise<void> {
    let job: Job | undefined;
    try {
      job = await this.deps.store.update(reply.jobId, (current) => jobAfterReply(current, reply));
    } catch (error) {
      this.deps.onStoreError?.(error, reply.jobId);
    }
    if (reply.status === 'RUNNING') return;
    const waiter = this.#waiters.get(reply.jobId);
    if (waiter === undefined) return;
    this.#cancelWait(reply.jobId);
    // The record may have been evicted or the store be down; the reply alone still answers.
    const answer = job !== undefined && isTerminal(job) ? job : jobFromReply(reply);
    waiter.resolve({ job: answer, error: reply.error });
  }

  /** Answers a waiting request from the store when its job ended there; true if it did. */
  async #answerFromStore(id: string): Promise<boolean> {
    let job: Job | undefined;
    try {
      job = await this.deps.store.get(id);
    } catch (error) {
      this.deps.onStoreError?.(error, id);
      return false;
    }
    if (job === undefined || !isTerminal(job)) return false;
    const waiter = this.#waiters.get(id);
    if (waiter === undefined) return true;
    this.#cancelWait(id);
    // The record keeps the worker's error code and message; an older record has none.
    const error =
      job.status === 'FINISHED'
        ? undefined
        : {
            code: errorCodeSchema.parse(job.error?.code ?? 'INTERNAL'),
            message: job.error?.message ?? `Job ${id} ${job.status}`,
            retryable: false,
          };
    waiter.resolve({ job, error });
    return true;
  }

  #wait(id: string, timeoutMs: number): Promise<CompletedJob> {
    return new Promise<CompletedJob>((resolve, reject) => {
      const timer = setTimeout(() => {
        // One last look: a reply lost with an expired reply queue may be in the store.
        void this.#answerFromStore(id).then((answered) => {
          if (answered || !this.#waiters.has(id)) return;
          this.#cancelWait(id);
          reject(
            new AppError(
              'REPLY_TIMEOUT',
              `Job ${id} did not finish within ${timeoutMs} ms; it goes on, see /jobs/${id}`,
            ),
          );
        });
      }, timeoutMs);
      this.#waiters.set(id, { resolve, reject, timer });
    });
  }

  /** Forgets a waiter and stops its timer, so nothing fires for a request that is gone. */
  #cancelWait(id: string): void {
    const waiter = this.#waiters.get(id);
    if (waiter !== undefined) clearTimeout(waiter.timer);
    this.#waiters.delete(id);
    if (this.#waiters.size === 0) {
      for (const resolve of this.#idle.splice(0)) resolve();
    }
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
    urlChecks: reply.urlChecks,
    error: jobError(reply),
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
