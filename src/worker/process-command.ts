import type { Logger } from 'pino';
import { distribute, type DistributionDeps } from '../distribution/distribute.js';
import type { Command } from '../contract/command.js';
import { decodeCommand, readableJobId } from '../contract/command-codec.js';
import { buildEvent, type DistributionEventData, type OutgoingEvent } from '../contract/event.js';
import { messageKeyOf } from '../contract/message-key.js';
import type { ElementUrlCheck, JobReply } from '../contract/reply.js';
import type { CommandOutcome } from '../distribution/outcome.js';
import { retract } from '../distribution/retract.js';
import { isAppError, toErrorInfo, type ErrorInfo } from '../errors.js';
import { withRetry, type RetryPolicy } from '../distribution/retry.js';
import { ProgressTracker } from '../distribution/progress.js';
import type { Claim, OutcomeLedger, RecordedOutcome } from './outcome-ledger.js';
import { ProgressReports, progressSender, type ProgressSettings } from './progress-reports.js';

/** The parts of a broker delivery the worker reads (the messaging adapter's `Delivery`). */
export interface CommandDelivery {
  readonly body: Buffer;
  readonly messageId?: string | undefined;
  readonly correlationId?: string | undefined;
  readonly replyTo?: string | undefined;
  /** The key it was published with: a command routed under another key than its type is refused. */
  readonly routingKey?: string | undefined;
  readonly deliveryCount: number;
}

/** What the worker does with a delivery once it is handled. */
export type CommandDisposition = 'ack' | 'dead-letter' | 'requeue';

/** What the worker needs besides the use cases. */
export interface WorkerDeps {
  readonly distribution: DistributionDeps;
  readonly publishEvent: (event: OutgoingEvent) => Promise<void>;
  readonly sendReply: (replyTo: string, correlationId: string, reply: JobReply) => Promise<void>;
  readonly maxCommandBytes: number;
  /** Retries of event and reply publishes; default {@link PUBLISH_RETRY}. */
  readonly publishRetry?: RetryPolicy | undefined;
  readonly clock: () => Date;
  readonly logger: Logger;
  /**
   * Opencast mode: reports the status of an Opencast job (`opencastJob: true`) durably, to
   * the Opencast job queue; resolves once the broker confirmed it, so a final status is
   * safe before the command is acknowledged. Undefined: such jobs cannot be reported.
   */
  readonly reportOpencastJob?: ((report: JobReply) => Promise<void>) | undefined;
  /**
   * Outcomes of the commands this process ran: a duplicate delivery re-announces the
   * recorded outcome instead of running again. Unset: every delivery runs.
   */
  readonly outcomes?: OutcomeLedger | undefined;
  /** Progress reports of running distributes (PROGRESS_INTERVAL_MS); unset: none. */
  readonly progress?: ProgressSettings | undefined;
  /**
   * Parks this delivery with its reason in headers (the caller acknowledges it then).
   * Unset, or when parking fails: the delivery is dead-lettered, and the dead-letter queue
   * parks it without the worker's reason.
   */
  readonly park?: ((error: ErrorInfo) => Promise<void>) | undefined;
}

/**
 * Handles one command delivery end to end: validate, run, publish the event, reply.
 * - A message that is not a valid command (too large, not JSON, wrong fields, routed under a
 *   key other than its type) is dead-lettered with a `command.rejected` event.
 * - A permanent failure (bad input) is acknowledged with a failure event: retrying cannot help.
 * - A transient failure that outlived its in-process retries is dead-lettered (parked) with
 *   a failure event, for an operator to look at or replay.
 * - Shutdown (the signal aborted) hands the command back to the broker.
 * Any error publishing the event or the reply propagates, so the broker redelivers the
 * command: the work is idempotent, the event id is stable.
 */
export async function processCommand(
  delivery: CommandDelivery,
  deps: WorkerDeps,
  signal: AbortSignal,
): Promise<CommandDisposition> {
  const startedAt = deps.clock();
  let command: Command;
  try {
    command = decodeCommand(delivery.body, {
      maxBytes: deps.maxCommandBytes,
      routingKey: delivery.routingKey,
    });
  } catch (error) {
    const info = toErrorInfo(error);
    deps.logger.warn({ err: error, correlationId: delivery.correlationId }, 'command rejected');
    await publish(
      deps,
      buildEvent(
        'failed',
        rejectedData(delivery, deps.maxCommandBytes, startedAt, deps.clock(), info),
      ),
      signal,
    );
    const jobId = readableJobId(delivery.body, deps.maxCommandBytes);
    await reply(delivery, deps, signal, jobId, 'FAILED', undefined, info);
    // An Opencast job whose command is refused would otherwise stay RUNNING for good.
    const opencastJob = jobId !== undefined && isOpencastJobBody(delivery.body, deps);
    if (opencastJob)
      await reportOpencast({ jobId, opencastJob }, deps, signal, 'FAILED', undefined, info);
    return deadLetter(deps, info);
  }

  const log = deps.logger.child({ jobId: command.jobId, operation: command.type });
  // One job, one outcome: a duplicate announces the first run's outcome again, same event id.
  const claim: Claim = (await deps.outcomes?.begin(`${command.jobId}:${command.type}`)) ?? {
    finish: () => undefined,
  };
  if (claim.earlier !== undefined) {
    const { event, status, payload, error } = claim.earlier;
    log.info(
      { eventId: event.event.id },
      'duplicate of a handled command; outcome announced again',
    );
    await publish(deps, event, signal);
    await reply(delivery, deps, signal, command.jobId, status, payload, error, urlChecksOf(event));
    await reportOpencast(command, deps, signal, status, payload, error);
    // A failure that is parked is parked again: the first run may not have got that far.
    return error?.retryable === true ? deadLetter(deps, error) : 'ack';
  }
  let recorded: RecordedOutcome | undefined;
  try {
    return await runCommand(command, delivery, deps, signal, log, startedAt, (outcome) => {
      recorded = outcome;
    });
  } finally {
    claim.finish(recorded);
  }
}

/**
 * Runs a valid command and announces its outcome; `record` gets the outcome before it is
 * announced, so that a duplicate announces the same one even if announcing fails here.
 */
async function runCommand(
  command: Command,
  delivery: CommandDelivery,
  deps: WorkerDeps,
  signal: AbortSignal,
  log: Logger,
  startedAt: Date,
  record: (outcome: RecordedOutcome) => void,
): Promise<CommandDisposition> {
  // Progress only: a broker that cannot take it now must not cost the command a delivery.
  // Sent while the work starts (waiting for its confirm first cost every command a broker
  // round trip) and awaited before the outcome, which therefore always comes after it.
  const progress = (async () => {
    await reply(delivery, deps, signal, command.jobId, 'RUNNING').catch((err: unknown) => {
      log.warn({ err }, 'could not report the job as running; going on');
    });
    await reportOpencast(command, deps, signal, 'RUNNING').catch((err: unknown) => {
      log.warn({ err }, 'could not report the Opencast job as running; going on');
    });
  })();
  let outcome: CommandOutcome;
  const tracker = new ProgressTracker();
  const reports = startProgressReports(command, delivery, deps, log, startedAt, tracker);
  try {
    try {
      outcome =
        command.type === 'distribute'
          ? await distribute(command, deps.distribution, signal, tracker)
          : await retract(command, deps.distribution, signal);
    } finally {
      // No report after the work: the outcome is announced next.
      reports?.stop();
    }
  } catch (error) {
    await progress;
    if (signal.aborted) {
      log.info('command handed back on shutdown');
      return 'requeue';
    }
    const info = toErrorInfo(error);
    log.warn({ err: error, code: info.code }, 'command failed');
    const failed = buildEvent(
      'failed',
      eventData(command, undefined, startedAt, deps.clock(), info),
    );
    record({ event: failed, status: 'FAILED', error: info });
    await Promise.all([
      publish(deps, failed, signal),
      reply(delivery, deps, signal, command.jobId, 'FAILED', undefined, info),
    ]);
    await reportOpencast(command, deps, signal, 'FAILED', undefined, info);
    return info.retryable ? deadLetter(deps, info) : 'ack';
  }
  // Outside the try: the work is done, so a failure to announce it must not turn into a
  // failure event; it propagates and the broker redelivers, and the redelivery announces
  // this same outcome (see WorkerDeps.outcomes). Event and reply go out together: their
  // confirms one after the other cost a sync caller a broker round trip.
  await progress;
  const completed = buildEvent('completed', eventData(command, outcome, startedAt, deps.clock()));
  record({ event: completed, status: 'FINISHED', payload: outcome.payload });
  const checks = urlChecksOf(completed);
  await Promise.all([
    publish(deps, completed, signal),
    reply(delivery, deps, signal, command.jobId, 'FINISHED', outcome.payload, undefined, checks),
  ]);
  await reportOpencast(command, deps, signal, 'FINISHED', outcome.payload);
  log.info({ durationMs: deps.clock().getTime() - startedAt.getTime() }, 'command completed');
  return 'ack';
}

/** The published URL checks an event reports, for the reply; undefined when none ran. */
function urlChecksOf(event: OutgoingEvent): ElementUrlCheck[] | undefined {
  const checks = event.event.data.elements.flatMap(({ elementId, url, urlCheck }) =>
    urlCheck === undefined ? [] : [{ elementId, url, ...urlCheck }],
  );
  return checks.length === 0 ? undefined : checks;
}

/** Progress reports of a distribute, when the worker sends them; undefined otherwise. */
function startProgressReports(
  command: Command,
  delivery: CommandDelivery,
  deps: WorkerDeps,
  log: Logger,
  startedAt: Date,
  tracker: ProgressTracker,
): ProgressReports | undefined {
  const { progress } = deps;
  if (progress === undefined || command.type !== 'distribute') return undefined;
  const send = progressSender(
    command,
    delivery.replyTo,
    delivery.correlationId,
    startedAt,
    mediaPackageIdOf(command.mediapackage),
    {
      progress,
      sendReply: deps.sendReply,
      clock: deps.clock,
      dropped: (err) => {
        log.debug({ err }, 'progress report dropped');
      },
    },
  );
  return new ProgressReports(() => tracker.snapshot(), send).start(progress.intervalMs);
}

/** Parks the delivery with its reason when the worker can, else dead-letters it. */
async function deadLetter(deps: WorkerDeps, error: ErrorInfo): Promise<CommandDisposition> {
  if (deps.park === undefined) return 'dead-letter';
  try {
    await deps.park(error);
    return 'ack';
  } catch (err) {
    deps.logger.warn({ err }, 'could not park the command with its reason; dead-lettering it');
    return 'dead-letter';
  }
}

/** Publishing after the work is done is retried briefly, so a blip does not redo uploads. */
// About 30 s in all: rides out a publisher channel re-open or a short broker alarm, and
// stays far below RabbitMQ's consumer_timeout. Each requeue would spend a delivery.
export const PUBLISH_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 8000 };

export function publish(
  deps: WorkerDeps,
  event: OutgoingEvent,
  signal: AbortSignal,
): Promise<void> {
  return withRetry(() => deps.publishEvent(event), deps.publishRetry ?? PUBLISH_RETRY, signal);
}

/**
 * Sends a reply when the command asked for one. A reply address the broker refuses for
 * good (e.g. one naming this service's own queues) is logged and skipped: the command
 * still runs and its events still go out.
 */
export async function reply(
  delivery: CommandDelivery,
  deps: WorkerDeps,
  signal: AbortSignal,
  jobId: string | undefined,
  status: JobReply['status'],
  payload?: string,
  error?: ErrorInfo,
  urlChecks?: ElementUrlCheck[],
): Promise<void> {
  const correlationId = delivery.correlationId ?? jobId;
  const replyTo = delivery.replyTo;
  if (replyTo === undefined || correlationId === undefined) return;
  const message: JobReply = {
    version: 1,
    jobId: jobId ?? correlationId,
    status,
    time: deps.clock().toISOString(),
    payload,
    error,
    urlChecks,
  };
  try {
    await withRetry(
      () => deps.sendReply(replyTo, correlationId, message),
      deps.publishRetry ?? PUBLISH_RETRY,
      signal,
    );
  } catch (err) {
    if (isAppError(err) && !err.retryable) {
      deps.logger.warn({ err, replyTo }, 'reply refused; the command goes on without replies');
      return;
    }
    throw err;
  }
}

/**
 * Reports an Opencast job's status to the registry's updater (see WorkerDeps), retried like
 * a reply; an error propagates, so the command is redelivered rather than its status lost.
 */
export async function reportOpencast(
  command: Pick<Command, 'jobId' | 'opencastJob'>,
  deps: WorkerDeps,
  signal: AbortSignal,
  status: JobReply['status'],
  payload?: string,
  error?: ErrorInfo,
): Promise<void> {
  if (command.opencastJob !== true) return;
  const report = deps.reportOpencastJob;
  if (report === undefined) {
    deps.logger.error(
      { jobId: command.jobId, status },
      'an Opencast job reached a worker without Opencast mode: its status cannot be reported',
    );
    return;
  }
  const message: JobReply = {
    version: 1,
    jobId: command.jobId,
    status,
    time: deps.clock().toISOString(),
    payload,
    error,
  };
  await withRetry(() => report(message), deps.publishRetry ?? PUBLISH_RETRY, signal);
}

/** Whether a refused command body says it is an Opencast job (it was readable as JSON). */
function isOpencastJobBody(body: Buffer, deps: WorkerDeps): boolean {
  if (body.length > deps.maxCommandBytes) return false;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && 'opencastJob' in parsed
      ? parsed.opencastJob === true
      : false;
  } catch {
    return false;
  }
}

export function eventData(
  command: Command,
  outcome: CommandOutcome | undefined,
  startedAt: Date,
  completedAt: Date,
  error?: ErrorInfo,
): DistributionEventData {
  return {
    jobId: command.jobId,
    operation: command.type,
    organization: command.organization,
    channelId: command.channelId,
    mediaPackageId: outcome?.mediaPackageId ?? mediaPackageIdOf(command.mediapackage),
    elements: outcome?.objects ?? [],
    startedAt: startedAt.toISOString(),
    completedAt: completedAt.toISOString(),
    durationMs: completedAt.getTime() - startedAt.getTime(),
    error,
  };
}

export function rejectedData(
  delivery: CommandDelivery,
  maxCommandBytes: number,
  startedAt: Date,
  completedAt: Date,
  error: ErrorInfo,
): DistributionEventData {
  return {
    jobId: readableJobId(delivery.body, maxCommandBytes),
    // Keeps the event id distinct for messages without a readable job id.
    messageKey: messageKeyOf(delivery.body, delivery.messageId),
    operation: undefined,
    organization: undefined,
    channelId: undefined,
    mediaPackageId: undefined,
    elements: [],
    startedAt: startedAt.toISOString(),
    completedAt: completedAt.toISOString(),
    durationMs: completedAt.getTime() - startedAt.getTime(),
    error,
  };
}

/** Best-effort mediapackage id for a failure event, without parsing hostile XML. */
function mediaPackageIdOf(xml: string): string | undefined {
  const match = /<(?:\w+:)?mediapackage\b[^>]*?\sid="([^"]{1,255})"/.exec(xml.slice(0, 4096));
  return match?.[1];
}
