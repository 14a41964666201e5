/** `ocs3 parked list` and `ocs3 parked replay`: the parking queue for operators. */
import { readableJobId } from '../contract/command-codec.js';
import { COMMAND_ROUTING_KEYS } from '../messaging/topology.js';
import type { ParkedMessageView, ParkedQueue, ReplayTarget } from '../messaging/parked-queue.js';
import { PARKED_HEADERS } from '../worker/dead-letters.js';
import { EXIT } from './cli-error.js';
import type { CliIo } from './io.js';

/** A parked message as the tool shows it. */
export interface ParkedSummary {
  readonly messageId: string | undefined;
  readonly jobId: string | undefined;
  readonly routingKey: string | undefined;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly deadLetterReason: string | undefined;
  /** Times the broker handed it out (listings count too). */
  readonly deliveryCount: number | undefined;
  readonly bytes: number;
}

// Headers the broker owns or this service adds when parking: a replayed command is new.
const DROPPED_HEADER = /^x-(ocs3-|death$|delivery-count$|first-death-|last-death-)/i;
// Job ids are read from bodies up to this size; larger ones are shown without.
const MAX_READ_BYTES = 64 * 1024 * 1024;

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
}

/** What a parked message is and why it is parked. */
export function summarize(message: ParkedMessageView): ParkedSummary {
  const count = message.headers['x-delivery-count'];
  return {
    messageId: message.messageId,
    jobId: readableJobId(message.body, MAX_READ_BYTES),
    routingKey: routingKeyOf(message),
    errorCode: text(message.headers[PARKED_HEADERS.code]),
    errorMessage: text(message.headers[PARKED_HEADERS.message]),
    deadLetterReason: text(message.headers[PARKED_HEADERS.deadLetterReason]),
    deliveryCount: typeof count === 'number' ? count : undefined,
    bytes: message.body.length,
  };
}

/**
 * The routing key to replay a message under: its `x-ocs3-routing-key` header, else the
 * `type` of its body (a message the broker parked as it was). Only command keys count.
 */
export function routingKeyOf(message: ParkedMessageView): string | undefined {
  const isCommandKey = (key: string | undefined): key is string =>
    key !== undefined && (COMMAND_ROUTING_KEYS as readonly string[]).includes(key);
  const header = text(message.headers[PARKED_HEADERS.routingKey]);
  if (isCommandKey(header)) return header;
  if (message.body.length > MAX_READ_BYTES) return undefined;
  try {
    const body: unknown = JSON.parse(message.body.toString('utf8'));
    const type =
      typeof body === 'object' && body !== null && 'type' in body ? text(body.type) : undefined;
    return isCommandKey(type) ? type : undefined;
  } catch {
    return undefined;
  }
}

/** The headers a replayed copy keeps: the message's own simple ones. */
export function replayHeaders(
  message: ParkedMessageView,
): Record<string, string | number | boolean> {
  const headers: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(message.headers)) {
    if (DROPPED_HEADER.test(key)) continue;
    if (typeof value === 'string' || typeof value === 'boolean') headers[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) headers[key] = value;
  }
  return headers;
}

/** One line of `parked list`. */
export function listLine(index: number, summary: ParkedSummary): string {
  const reason = [summary.errorCode, summary.errorMessage].filter(Boolean).join(': ');
  return [
    String(index + 1).padStart(4),
    summary.messageId ?? '(no message id)',
    summary.jobId === undefined ? 'job ?' : `job ${summary.jobId}`,
    summary.routingKey ?? '(no routing key)',
    reason === '' ? '(no reason)' : reason.replace(/\s+/g, ' ').slice(0, 200),
  ].join('  ');
}

/** Prints up to `limit` parked messages; the queue keeps them. */
export async function listParked(
  queue: ParkedQueue,
  limit: number,
  json: boolean,
  io: CliIo,
): Promise<number> {
  const { queue: name, messages } = await queue.count();
  const listed = (await queue.browse(limit)).map(summarize);
  if (json) {
    for (const summary of listed) io.out.write(`${JSON.stringify(summary)}\n`);
    return EXIT.ok;
  }
  io.out.write(
    `${messages} parked in ${name}${listed.length < messages ? `, the first ${listed.length}:` : ''}\n`,
  );
  listed.forEach((summary, index) => {
    io.out.write(`${listLine(index, summary)}\n`);
  });
  return EXIT.ok;
}

/**
 * Replays the parked messages with the given ids (or all). Exit status 1 when one could not
 * be replayed or an id was not found.
 */
export async function replayParked(
  queue: ParkedQueue,
  ids: readonly string[],
  all: boolean,
  io: CliIo,
): Promise<number> {
  const wanted = new Set(ids);
  const found = new Set<string>();
  const unroutable: ParkedMessageView[] = [];
  const report = await queue.replay((message): ReplayTarget | undefined => {
    const id = message.messageId;
    if (!all && (id === undefined || !wanted.has(id))) return undefined;
    if (id !== undefined) found.add(id);
    const routingKey = routingKeyOf(message);
    if (routingKey === undefined) {
      unroutable.push(message);
      return undefined;
    }
    return { routingKey, headers: replayHeaders(message) };
  });
  for (const message of report.replayed) {
    const summary = summarize(message);
    io.out.write(
      `replayed ${summary.messageId ?? '(no message id)'} (job ${summary.jobId ?? '?'}) as ${summary.routingKey ?? '?'}\n`,
    );
  }
  for (const { message, reason } of report.failed) {
    io.err.write(
      `not replayed ${message.messageId ?? '(no message id)'}: ${reason}; it stays parked\n`,
    );
  }
  for (const message of unroutable) {
    io.err.write(
      `not replayed ${message.messageId ?? '(no message id)'}: no command routing key (header or body type); it stays parked\n`,
    );
  }
  const missing = [...wanted].filter((id) => !found.has(id));
  if (missing.length > 0) io.err.write(`not parked: ${missing.join(', ')}\n`);
  io.out.write(
    `${report.replayed.length} replayed, ${report.kept + report.failed.length} left parked\n`,
  );
  const ok = report.failed.length === 0 && unroutable.length === 0 && missing.length === 0;
  return ok ? EXIT.ok : EXIT.failed;
}
