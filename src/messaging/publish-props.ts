import type { Options } from 'amqplib';
import { AppError } from '../errors.js';

/** Message properties a publisher sets. */
export interface PublishProps {
  /** Unique id of the message; subscribers de-duplicate on it. Required. */
  messageId: string;
  correlationId?: string;
  replyTo?: string;
  type?: string;
  headers?: Record<string, string | number | boolean>;
  /** Defaults to `application/json`. */
  contentType?: string;
}

/** How the publishing method hands a message to the broker. */
export interface PublishMode {
  readonly persistent: boolean;
  readonly mandatory: boolean;
}

const MAX_SHORT_STRING_BYTES = 255;
const MAX_HEADERS = 64;
// Properties travel in one frame that cannot be split (frame_max is 128 KiB by default).
const MAX_HEADER_BYTES = 16 * 1024;
// eslint-disable-next-line no-control-regex -- rejecting control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// Headers the broker owns; a client-set value would fake retry history.
const RESERVED_HEADER = /^x-(death|delivery-count|first-death-|last-death-)/i;

function invalid(message: string): AppError {
  return new AppError('INVALID_INPUT', message);
}

/** Checks an AMQP short string (ids, names, routing keys): 1-255 bytes, no control chars. */
export function assertShortString(field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`${field} must be a non-empty string`);
  }
  if (Buffer.byteLength(value) > MAX_SHORT_STRING_BYTES) {
    throw invalid(`${field} is longer than ${MAX_SHORT_STRING_BYTES} bytes`);
  }
  if (CONTROL_CHARS.test(value)) throw invalid(`${field} contains control characters`);
}

function copyHeaders(headers: unknown): Record<string, string | number | boolean> {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
    throw invalid('headers must be an object');
  }
  const entries = Object.entries(headers);
  if (entries.length > MAX_HEADERS) throw invalid(`more than ${MAX_HEADERS} headers`);
  let bytes = 0;
  const copy: Record<string, string | number | boolean> = {};
  for (const [key, value] of entries) {
    assertShortString('header name', key);
    if (RESERVED_HEADER.test(key)) throw invalid(`header ${key} is reserved for the broker`);
    if (typeof value === 'string') {
      bytes += Buffer.byteLength(value);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalid(`header ${key} is not a finite number`);
    } else if (typeof value !== 'boolean') {
      throw invalid(`header ${key} must be a string, number or boolean`);
    }
    bytes += Buffer.byteLength(key) + 8;
    // defineProperty, not assignment: a key named __proto__ must stay a plain header.
    Object.defineProperty(copy, key, { value, enumerable: true, writable: true });
  }
  if (bytes > MAX_HEADER_BYTES) throw invalid(`headers exceed ${MAX_HEADER_BYTES} bytes`);
  return copy;
}

/**
 * Validates a message and turns it into amqplib publish options. Throws INVALID_INPUT for
 * malformed properties and PAYLOAD_TOO_LARGE for a body over `maxBodyBytes`.
 */
export function toPublishOptions(
  routingKey: string,
  body: Buffer,
  props: PublishProps,
  mode: PublishMode,
  maxBodyBytes: number,
): Options.Publish {
  assertShortString('routing key', routingKey);
  if (!Buffer.isBuffer(body)) throw invalid('body must be a Buffer');
  if (body.length > maxBodyBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `message body over ${maxBodyBytes} bytes`);
  }
  assertShortString('messageId', props.messageId);
  const options: Options.Publish = {
    messageId: props.messageId,
    contentType: props.contentType ?? 'application/json',
    persistent: mode.persistent,
    mandatory: mode.mandatory,
    timestamp: Math.floor(Date.now() / 1000),
  };
  assertShortString('contentType', options.contentType);
  if (props.correlationId !== undefined) {
    assertShortString('correlationId', props.correlationId);
    options.correlationId = props.correlationId;
  }
  if (props.replyTo !== undefined) {
    assertShortString('replyTo', props.replyTo);
    options.replyTo = props.replyTo;
  }
  if (props.type !== undefined) {
    assertShortString('type', props.type);
    options.type = props.type;
  }
  if (props.headers !== undefined) options.headers = copyHeaders(props.headers);
  return options;
}
