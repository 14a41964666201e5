/**
 * The AMQP message properties this service sets on what it publishes. The messaging
 * adapter's `PublishProps` has the same shape; this folder only says what goes in them.
 */
export interface MessageProperties {
  /** Unique id of the message; subscribers de-duplicate on it. */
  readonly messageId: string;
  readonly correlationId?: string;
  readonly replyTo?: string;
  /** What the body is: the command type, `job-reply`, or the CloudEvents type. */
  readonly type?: string;
  /** Defaults to `application/json` in the adapter. */
  readonly contentType?: string;
}

/** An encoded message: its body and the properties to publish it with. */
export interface EncodedMessage {
  readonly body: Buffer;
  readonly properties: MessageProperties;
}
