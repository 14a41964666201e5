import type { Command } from '../contract/command.js';
import { decodeCommand, readableJobId } from '../contract/command-codec.js';
import { buildEvent } from '../contract/event.js';
import { messageKeyOf } from '../contract/message-key.js';
import type { MessageProperties } from '../contract/properties.js';
import { isAppError, type ErrorInfo } from '../errors.js';
import type { Claim } from './outcome-ledger.js';
import {
  eventData,
  publish,
  rejectedData,
  reply,
  reportOpencast,
  type CommandDelivery,
  type CommandDisposition,
  type WorkerDeps,
} from './process-command.js';

/** Headers a parked message carries besides its own: why it was parked. */
export const PARKED_HEADERS = {
  /** The error code (docs/messages.md), e.g. `DELIVERY_LIMIT` or `STORAGE_UNAVAILABLE`. */
  code: 'x-ocs3-error-code',
  /** The error message, at most {@link MAX_REASON_CHARS} characters. */
  message: 'x-ocs3-error-message',
  /** The routing key it was published with (its type): replay it under this key. */
  routingKey: 'x-ocs3-routing-key',
  /** The broker's dead-letter reason (`delivery_limit`, `rejected`), when the broker parked it. */
  deadLetterReason: 'x-ocs3-dead-letter-reason',
} as const;

const MAX_REASON_CHARS = 1000;
// Headers the broker owns are not copied; the messaging adapter refuses to publish them.
const BROKER_HEADER = /^x-(death|delivery-count|first-death-|last-death-)/i;

/** A delivery with what a parked copy keeps of it. */
export interface ParkableDelivery extends CommandDelivery {
  readonly headers: Readonly<Record<string, unknown>>;
  readonly type?: string | undefined;
  readonly contentType?: string | undefined;
}

/** A message to put into the parking queue. */
export interface ParkedMessage {
  readonly body: Buffer;
  readonly properties: MessageProperties & {
    readonly headers: Record<string, string | number | boolean>;
  };
}

/**
 * The parked copy of `delivery`: the same body and properties, its own simple headers, and
 * the reason in {@link PARKED_HEADERS}.
 */
export function parkedMessage(
  delivery: ParkableDelivery,
  error: ErrorInfo,
  deadLetterReason?: string,
): ParkedMessage {
  const headers: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(delivery.headers)) {
    if (BROKER_HEADER.test(key) || key.startsWith('x-ocs3-')) continue;
    if (typeof value === 'string' || typeof value === 'boolean') headers[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) headers[key] = value;
  }
  headers[PARKED_HEADERS.code] = error.code;
  headers[PARKED_HEADERS.message] = error.message.slice(0, MAX_REASON_CHARS);
  if (delivery.routingKey !== undefined) headers[PARKED_HEADERS.routingKey] = delivery.routingKey;
  if (deadLetterReason !== undefined) headers[PARKED_HEADERS.deadLetterReason] = deadLetterReason;
  return {
    body: delivery.body,
    properties: {
      messageId: delivery.messageId ?? `parked:${messageKeyOf(delivery.body, undefined)}`,
      correlationId: delivery.correlationId,
      replyTo: delivery.replyTo,
      type: delivery.type,
      contentType: delivery.contentType,
      headers,
    },
  };
}

/** What the dead-letter handler needs besides the worker's publishers. */
export interface DeadLetterDeps extends WorkerDeps {
  /** The work queue: only commands dead-lettered from there are announced. */
  readonly workQueue: string;
  /** Puts a message into the parking queue; resolves once the broker has it. */
  readonly parkMessage: (message: ParkedMessage) => Promise<void>;
}

function header(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = headers[name];
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/**
 * Handles one message the broker dead-lettered. A command that outlived the work queue's
 * delivery limit (its workers kept dying) ends its job: a `failed` event and a FAILED reply
 * with DELIVERY_LIMIT, the same outcome again if this process already recorded one. Then
 * the message moves to the parking queue with the reason in its headers. Anything else
 * (a message a worker dead-lettered itself, which announced it then; a report from another
 * queue) is parked as it is, with the broker's reason.
 */
export async function handleDeadLetter(
  delivery: ParkableDelivery,
  deps: DeadLetterDeps,
  signal: AbortSignal,
): Promise<CommandDisposition> {
  const reason = header(delivery.headers, 'x-first-death-reason') ?? 'unknown';
  const queue = header(delivery.headers, 'x-first-death-queue') ?? 'unknown';
  const limit = reason === 'delivery_limit';
  const error: ErrorInfo = limit
    ? {
        code: 'DELIVERY_LIMIT',
        message: `Parked after too many deliveries from ${queue}: every worker handling it stopped before finishing (crash, lost connection, shutdown or timeout)`,
        retryable: false,
      }
    : {
        code: 'INTERNAL',
        message: `Dead-lettered (${reason}) from ${queue}; its failure was announced when it happened`,
        retryable: false,
      };
  const log = deps.logger.child({ messageId: delivery.messageId, queue, reason });
  if (limit && queue === deps.workQueue) await announce(delivery, deps, error, signal);
  try {
    await deps.parkMessage(parkedMessage(delivery, error, reason));
  } catch (err) {
    // Retryable (broker trouble): requeue and try again. Otherwise the dead-letter queue's
    // own dead-lettering parks it as it is, without the reason headers.
    if (isAppError(err) && err.retryable) throw err;
    log.error({ err }, 'cannot park with the reason; parking it as it is');
    return 'dead-letter';
  }
  log.warn({ code: error.code }, 'dead-lettered message parked');
  return 'ack';
}

async function announce(
  delivery: ParkableDelivery,
  deps: DeadLetterDeps,
  error: ErrorInfo,
  signal: AbortSignal,
): Promise<void> {
  const now = deps.clock();
  let command: Command;
  try {
    command = decodeCommand(delivery.body, {
      maxBytes: deps.maxCommandBytes,
      routingKey: delivery.routingKey,
    });
  } catch {
    // Not a command the workers could have run: announce it like a refused one.
    await publish(
      deps,
      buildEvent('failed', rejectedData(delivery, deps.maxCommandBytes, now, now, error)),
      signal,
    );
    const jobId = readableJobId(delivery.body, deps.maxCommandBytes);
    await reply(delivery, deps, signal, jobId, 'FAILED', undefined, error);
    return;
  }
  // One job, one outcome: an outcome this process recorded wins over the delivery limit.
  const claim: Claim = (await deps.outcomes?.begin(`${command.jobId}:${command.type}`)) ?? {
    finish: () => undefined,
  };
  if (claim.earlier !== undefined) {
    const { event, status, payload, error: earlierError } = claim.earlier;
    await publish(deps, event, signal);
    await reply(delivery, deps, signal, command.jobId, status, payload, earlierError);
    await reportOpencast(command, deps, signal, status, payload, earlierError);
    return;
  }
  const failed = buildEvent('failed', eventData(command, undefined, now, now, error));
  claim.finish({ event: failed, status: 'FAILED', error });
  await publish(deps, failed, signal);
  await reply(delivery, deps, signal, command.jobId, 'FAILED', undefined, error);
  // An Opencast job would otherwise stay RUNNING in Opencast's registry for good.
  await reportOpencast(command, deps, signal, 'FAILED', undefined, error);
}
