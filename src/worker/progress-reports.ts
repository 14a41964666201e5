import type { Command } from '../contract/command.js';
import { buildProgressEvent, type OutgoingProgressEvent } from '../contract/event.js';
import { sameProgress, type JobProgress } from '../contract/progress.js';
import type { JobReply } from '../contract/reply.js';

/** How a worker reports progress; unset in {@link WorkerDeps}: it does not. */
export interface ProgressSettings {
  /** At most one report per this many milliseconds (PROGRESS_INTERVAL_MS). */
  readonly intervalMs: number;
  /** Publishes a progress event; not retried (the next report supersedes it). */
  readonly publish: (event: OutgoingProgressEvent) => Promise<void>;
}

/** Sends reports at a bounded rate; see {@link ProgressReports.tick}. */
export class ProgressReports {
  #last: JobProgress | undefined;
  #sending = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => JobProgress | undefined,
    private readonly send: (progress: JobProgress) => Promise<void>,
  ) {}

  /** Ticks every `intervalMs` until {@link stop}; the timer never keeps the process alive. */
  start(intervalMs: number): this {
    this.#timer = setInterval(() => {
      this.tick();
    }, intervalMs);
    this.#timer.unref();
    return this;
  }

  /**
   * Sends the current progress if it changed since the last report and no report is still
   * on its way. A slow broker thus costs skipped reports, never a queue of stale ones, and
   * the upload never waits: `send` runs beside it and its failure only drops that report.
   */
  tick(): void {
    if (this.#sending) return;
    const progress = this.read();
    if (progress === undefined || sameProgress(progress, this.#last)) return;
    this.#last = progress;
    this.#sending = true;
    const done = () => {
      this.#sending = false;
    };
    // `send` reports its own failures (see progressSender); either way the next tick may send.
    void this.send(progress).then(done, done);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** What {@link progressSender} needs of the worker. */
export interface ProgressSenderDeps {
  readonly progress: ProgressSettings;
  readonly sendReply: (replyTo: string, correlationId: string, reply: JobReply) => Promise<void>;
  readonly clock: () => Date;
  /** Told why a report was dropped (it is never retried). */
  readonly dropped: (err: unknown) => void;
}

/**
 * Sends one progress report of `command`: a RUNNING reply with `progress` when the command
 * asked for replies (how it reaches the job record), and a `<type>.progress` event. Never
 * rejects: a report that fails is dropped.
 */
export function progressSender(
  command: Command,
  replyTo: string | undefined,
  correlationId: string | undefined,
  startedAt: Date,
  mediaPackageId: string | undefined,
  deps: ProgressSenderDeps,
): (progress: JobProgress) => Promise<void> {
  return async (progress) => {
    const time = deps.clock();
    const sends: Promise<void>[] = [
      deps.progress.publish(
        buildProgressEvent(
          {
            jobId: command.jobId,
            operation: command.type,
            organization: command.organization,
            channelId: command.channelId,
            mediaPackageId,
            startedAt: startedAt.toISOString(),
            progress,
          },
          time,
        ),
      ),
    ];
    if (replyTo !== undefined) {
      const reply: JobReply = {
        version: 1,
        jobId: command.jobId,
        status: 'RUNNING',
        time: time.toISOString(),
        progress,
      };
      sends.push(deps.sendReply(replyTo, correlationId ?? command.jobId, reply));
    }
    for (const result of await Promise.allSettled(sends)) {
      if (result.status === 'rejected') deps.dropped(result.reason);
    }
  };
}
