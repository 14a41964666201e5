/**
 * Reading the errors amqplib raises. amqplib puts the AMQP reply code on `error.code` for
 * channel and connection closes, but only in the message text for handshake refusals.
 */

/** AMQP reply codes this adapter reacts to. */
export const AMQP_REPLY = {
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  NOT_ALLOWED: 530,
} as const;

/** The AMQP reply code of an amqplib error, if it carries one. */
export function amqpReplyCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = error.code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// RabbitMQ's text for a re-declaration with other arguments, e.g.
// "inequivalent arg 'x-delivery-limit' for queue 'q' in vhost '/': received the value '3'
// of type 'signedint' but current is the value '2' of type 'signedint'".
const INEQUIVALENT =
  /inequivalent arg '([^']*)' for (queue|exchange) '([^']*)' in vhost '([^']*)': received (.*?) but current is (.*?)"?$/;

/**
 * A message for logs and errors. A 406 from a re-declaration names the queue or exchange,
 * the argument and both values, because declaring over an existing topology with other
 * settings is the most common operator mistake.
 */
export function describeAmqpError(error: unknown): string {
  const message = messageOf(error);
  const match = INEQUIVALENT.exec(message);
  if (match === null) return message;
  const [, argument, kind, name, vhost, declared, existing] = match;
  return (
    `${kind ?? 'queue'} '${name ?? ''}' already exists in vhost '${vhost ?? ''}' with a different ` +
    `'${argument ?? ''}' (this service declares ${declared ?? '?'}, the broker has ` +
    `${existing ?? '?'}); delete it or align the configuration`
  );
}

const FATAL_TEXT = /ACCESS[-_]REFUSED|NOT[-_]ALLOWED|PRECONDITION[-_]FAILED/;

/**
 * Whether a failure of the first connection is a configuration error that retrying cannot
 * fix: refused credentials, an unknown vhost, or a topology that exists with other args.
 */
export function isConfigurationError(error: unknown): boolean {
  const code = amqpReplyCode(error);
  if (
    code === AMQP_REPLY.ACCESS_REFUSED ||
    code === AMQP_REPLY.PRECONDITION_FAILED ||
    code === AMQP_REPLY.NOT_ALLOWED
  ) {
    return true;
  }
  return FATAL_TEXT.test(messageOf(error));
}
