import type { ErrorInfo } from '../errors.js';
import type { ElementType } from '../opencast/model.js';
import type { Operation } from './command.js';
import type { JobProgress } from './progress.js';
import type { EncodedMessage } from './properties.js';

/** The `source` of every event this service emits. */
export const EVENT_SOURCE = 'urn:opencast-s3-distribution';
/** Prefix of every event `type`. */
export const EVENT_TYPE_PREFIX = 'org.opencastproject.distribution.s3';

export type EventOutcome = 'completed' | 'failed';

/** One object a distribute wrote or a retract removed, as events list it. */
export interface EventElement {
  readonly elementId: string;
  readonly elementType: ElementType;
  readonly flavor: string | undefined;
  readonly mimetype: string | undefined;
  readonly bucket: string;
  /** Distribute: the object key. Retract: the folder prefix removed. */
  readonly key: string;
  /** Distribute: the published URL. Retract: the URL that was retracted. */
  readonly url: string;
  /** Distribute: bytes stored. Retract: objects deleted. */
  readonly size: number;
  /** Distribute with checkAvailability: whether the URL answered 200. */
  readonly available?: boolean | undefined;
  /** Distribute with checkAvailability: what the check of the published URL found. */
  readonly urlCheck?: PublishedUrlCheck | undefined;
}

/**
 * What the check of a published URL found: `available` (it answered 200), `unavailable`
 * (it answered, but not 200 in time) or `unreachable` (no connection: wrong host or port,
 * a name that does not resolve, or no answer at all).
 */
export type UrlCheckResult = 'available' | 'unavailable' | 'unreachable';

/** The check of one published URL, as events, replies and job records carry it. */
export interface PublishedUrlCheck {
  readonly result: UrlCheckResult;
  /** The last answer or error, e.g. `HTTP 404`, `ECONNREFUSED`, `no answer within 10000 ms`. */
  readonly detail: string;
}

/** Payload of completion and failure events (documented in docs/messages.md). */
export interface DistributionEventData {
  readonly jobId: string | undefined;
  readonly operation: Operation | undefined;
  readonly organization: string | undefined;
  readonly channelId: string | undefined;
  readonly mediaPackageId: string | undefined;
  readonly elements: readonly EventElement[];
  readonly startedAt: string;
  readonly completedAt: string;
  readonly durationMs: number;
  readonly error?: ErrorInfo | undefined;
  /** Rejected messages only: the message id, or a hash of the body when it has none. */
  readonly messageKey?: string | undefined;
}

/** A CloudEvents 1.0 event in structured JSON mode. */
export interface CloudEvent<T> {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string | undefined;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: T;
}

/** An event ready to publish: its routing key and body. */
export interface OutgoingEvent {
  readonly routingKey: string;
  readonly event: CloudEvent<DistributionEventData>;
}

/** Payload of a progress event: the job, what it concerns, and how far it got. */
export interface ProgressEventData {
  readonly jobId: string;
  readonly operation: Operation;
  readonly organization: string;
  readonly channelId: string;
  readonly mediaPackageId: string | undefined;
  readonly startedAt: string;
  readonly progress: JobProgress;
}

/** A progress event ready to publish. */
export interface OutgoingProgressEvent {
  readonly routingKey: string;
  readonly event: CloudEvent<ProgressEventData>;
}

/**
 * Builds a progress event of a running command: routing key `<operation>.progress`. Each
 * report has an id of its own (`<jobId>:<routing key>:<elementsDone>:<bytesDone>`), so that
 * de-duplication on the id drops only a report sent twice, never a newer one.
 */
export function buildProgressEvent(data: ProgressEventData, time: Date): OutgoingProgressEvent {
  const routingKey = `${data.operation}.progress`;
  const { elementsDone, bytesDone } = data.progress;
  return {
    routingKey,
    event: {
      specversion: '1.0',
      id: `${data.jobId}:${routingKey}:${elementsDone}:${bytesDone}`,
      source: EVENT_SOURCE,
      type: `${EVENT_TYPE_PREFIX}.${routingKey}`,
      subject: data.mediaPackageId,
      time: time.toISOString(),
      datacontenttype: 'application/json',
      data,
    },
  };
}

/**
 * Builds the event of a finished or failed command. The id depends only on the job and the
 * outcome, so a redelivered command produces the same id and subscribers can de-duplicate.
 * Routing keys are `<operation>.<outcome>` (`distribute.completed`, `retract.failed`) and
 * `command.rejected` for a message that is not a valid command.
 */
export function buildEvent(outcome: EventOutcome, data: DistributionEventData): OutgoingEvent {
  const routingKey =
    data.operation === undefined ? 'command.rejected' : `${data.operation}.${outcome}`;
  const id = `${data.jobId ?? data.messageKey ?? 'unknown'}:${routingKey}`;
  return {
    routingKey,
    event: {
      specversion: '1.0',
      id,
      source: EVENT_SOURCE,
      type: `${EVENT_TYPE_PREFIX}.${routingKey}`,
      subject: data.mediaPackageId,
      time: data.completedAt,
      datacontenttype: 'application/json',
      data,
    },
  };
}

/** Encodes an event as CloudEvents structured JSON; the event id is the message id. */
export function encodeEvent(
  event: CloudEvent<DistributionEventData | ProgressEventData>,
): EncodedMessage {
  return {
    body: Buffer.from(JSON.stringify(event)),
    properties: {
      messageId: event.id,
      type: event.type,
      contentType: 'application/cloudevents+json',
    },
  };
}
