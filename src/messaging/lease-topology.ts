import { createHash } from 'node:crypto';
import type { Channel, Message, Options } from 'amqplib';
import { COMMAND_ROUTING_KEYS } from './topology.js';
import type { TopologyNames } from './topology.js';

/**
 * Names and declarations of the long-job handover (docs/messages.md, "Commands that run
 * longer than the consumer timeout"): a lease exchange and wait queue whose messages come
 * back to the commands exchange after their TTL, and one lease queue per handed-over job.
 */
export interface LeaseNames {
  /** Direct exchange resume copies are published to, under the command's routing key. */
  readonly exchange: string;
  /** Quorum queue where resume copies wait for their TTL, then dead-letter to the commands. */
  readonly waitQueue: string;
  /** The lease queue of one job. */
  queue(key: string): string;
}

/** Header of a resume copy: the key of its lease. */
export const LEASE_HEADER = 'ocs3-lease';
const LEASE_KEY = /^[0-9a-f]{32}$/;

/** The lease names under `prefix`. */
export function leaseNames(prefix: string): LeaseNames {
  return {
    exchange: `${prefix}.lease`,
    waitQueue: `${prefix}.lease-wait`,
    queue: (key) => `${prefix}.lease.${key}`,
  };
}

/**
 * The lease key of a delivery: its header on a resume copy, else derived from message id
 * and body, so that the original and its resume copies agree (a redelivered original finds
 * the lease of its own earlier handover).
 */
export function leaseKeyOf(message: Message): string {
  const header: unknown = (message.properties.headers ?? {})[LEASE_HEADER];
  if (typeof header === 'string' && LEASE_KEY.test(header)) return header;
  const messageId: unknown = message.properties.messageId;
  return createHash('sha256')
    .update(typeof messageId === 'string' ? messageId : '')
    .update('\0')
    .update(message.content)
    .digest('hex')
    .slice(0, 32);
}

/** Whether a delivery is a resume copy (carries a well-formed lease header). */
export function isResumeCopy(message: Message): boolean {
  const header: unknown = (message.properties.headers ?? {})[LEASE_HEADER];
  return typeof header === 'string' && LEASE_KEY.test(header);
}

/** How a lease queue is declared; every keep-alive re-declares exactly this. */
export function leaseQueueDeclaration(expiresMs: number): Options.AssertQueue {
  // Quorum, so that a lease outlives the loss of one cluster node.
  return { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-expires': expiresMs } };
}

/** Declares the lease exchange and wait queue (idempotent). */
export async function declareLeaseTopology(
  ch: Channel,
  names: TopologyNames,
  lease: LeaseNames,
): Promise<void> {
  await ch.assertExchange(lease.exchange, 'direct', { durable: true });
  await ch.assertQueue(lease.waitQueue, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-dead-letter-exchange': names.commandsExchange,
      // A resume copy must not be lost on its way back (see topology.ts).
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    },
  });
  for (const key of COMMAND_ROUTING_KEYS) await ch.bindQueue(lease.waitQueue, lease.exchange, key);
}

// Headers the broker sets on dead-lettered and redelivered messages; a copy starts afresh.
const BROKER_HEADER = /^x-(death|delivery-count|first-death-|last-death-)/i;

/** Publish options of a resume copy of `message`: same properties, the lease header, a TTL. */
export function resumeCopyOptions(message: Message, key: string, ttlMs: number): Options.Publish {
  const p = message.properties;
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    if (!BROKER_HEADER.test(name)) headers[name] = value;
  }
  headers[LEASE_HEADER] = key;
  const options: Options.Publish = {
    persistent: true,
    mandatory: true,
    expiration: String(ttlMs),
    headers,
  };
  for (const field of ['messageId', 'correlationId', 'replyTo', 'type', 'contentType'] as const) {
    const value: unknown = p[field];
    if (typeof value === 'string') options[field] = value;
  }
  return options;
}
