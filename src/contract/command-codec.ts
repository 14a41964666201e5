import { z } from 'zod';
import { AppError } from '../errors.js';
import { commandSchema, type Command } from './command.js';
import type { EncodedMessage } from './properties.js';

/** A command ready to publish: routing key, body and properties. */
export interface EncodedCommand extends EncodedMessage {
  /** Always the command's `type`: workers refuse a command routed under another key. */
  readonly routingKey: Command['type'];
}

/** Encodes a command; replies about it go to `replyTo`, correlated by its job id. */
export function encodeCommand(command: Command, replyTo: string): EncodedCommand {
  return {
    routingKey: command.type,
    body: Buffer.from(JSON.stringify(command)),
    properties: {
      messageId: command.jobId,
      correlationId: command.jobId,
      replyTo,
      type: command.type,
    },
  };
}

/** How a command body is checked besides its schema. */
export interface DecodeCommandOptions {
  /** Bodies over this many bytes are refused before they are parsed. */
  readonly maxBytes: number;
  /** The routing key it was published with; when given it must equal the `type`. */
  readonly routingKey?: string | undefined;
}

/** Whether a body is over the limit, so callers can avoid even looking inside it. */
export function isOversizeCommand(body: Buffer | string, maxBytes: number): boolean {
  return (typeof body === 'string' ? Buffer.byteLength(body) : body.length) > maxBytes;
}

/**
 * Parses and validates a command body; throws INVALID_INPUT naming what is wrong: too
 * large, not JSON, not a command, or routed under a key other than its `type`.
 */
export function decodeCommand(body: Buffer | string, options: DecodeCommandOptions): Command {
  const { maxBytes, routingKey } = options;
  if (isOversizeCommand(body, maxBytes)) {
    const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    throw new AppError('INVALID_INPUT', `Command is ${size} bytes, more than ${maxBytes} allowed`);
  }
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (cause) {
    throw new AppError('INVALID_INPUT', 'Command is not valid JSON', { cause });
  }
  const result = commandSchema.safeParse(json);
  if (!result.success) {
    throw new AppError('INVALID_INPUT', `Invalid command: ${z.prettifyError(result.error)}`);
  }
  if (routingKey !== undefined && routingKey !== result.data.type) {
    // A binding may route several keys to the work queue; the type alone decides the work,
    // so a mismatch means the publisher is confused about which one it sent.
    throw new AppError(
      'INVALID_INPUT',
      `Command of type '${result.data.type}' was published with routing key '${routingKey.slice(0, 80)}'`,
    );
  }
  return result.data;
}

/** The job id of a body that is not a valid command, when it has a plausible one. */
export function readableJobId(body: Buffer, maxBytes: number): string | undefined {
  if (isOversizeCommand(body, maxBytes)) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'jobId' in parsed) {
      const { jobId } = parsed;
      if (typeof jobId === 'string' && /^\d{1,19}$/.test(jobId)) return jobId;
    }
  } catch {
    // Not JSON: there is no job id to report.
  }
  return undefined;
}
