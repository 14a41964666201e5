/**
 * The versioned command messages workers execute (documented in docs/messages.md). The
 * job service publishes them; other services may publish the same JSON directly.
 */
import { z } from 'zod';

/** The command schema version this code writes and reads. */
export const COMMAND_VERSION = 1;

const INT64_MAX = 9223372036854775807n;

/** A decimal string of a non-negative 64-bit integer, as Opencast parses job ids. */
export const jobIdSchema = z
  .string()
  .regex(/^\d{1,19}$/, 'must be a decimal integer')
  // zod runs refinements after a failed regex too: only compare what is digits.
  .refine((id) => !/^\d{1,19}$/.test(id) || BigInt(id) <= INT64_MAX, 'must fit a 64-bit integer');

/** The characters an identifier may hold (one object key segment). */
const IDENTIFIER_CHARS = /^[\w\-.:;()@+~]+$/;
const MAX_IDENTIFIER_LENGTH = 255;

/**
 * Whether `value` is a valid identifier: what {@link identifierSchema} accepts, without
 * zod. For hot paths; the schema gives the reasons for a refusal.
 */
export function isIdentifier(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length <= MAX_IDENTIFIER_LENGTH &&
    IDENTIFIER_CHARS.test(value) &&
    value !== '.' &&
    value !== '..'
  );
}

/** An identifier that can stand as one segment of an object key. */
export const identifierSchema = z
  .string()
  .min(1)
  .max(MAX_IDENTIFIER_LENGTH)
  .regex(IDENTIFIER_CHARS, 'may hold only letters, digits and - _ . : ; ( ) @ + ~')
  .refine((id) => id !== '.' && id !== '..', "must not be '.' or '..'");

const common = {
  version: z.literal(COMMAND_VERSION),
  jobId: jobIdSchema,
  organization: identifierSchema,
  channelId: identifierSchema,
  /** The mediapackage XML as Opencast sends it. */
  mediapackage: z.string().min(1),
  elementIds: z
    .array(identifierSchema)
    .min(1)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
  /** Who asked for it (the Opencast user), for the job record. */
  creator: z.string().max(255).optional(),
  /**
   * true: `jobId` is a job in Opencast's service registry; the worker reports its status to
   * the durable Opencast job queue, from where the job updater writes it to the registry.
   */
  opencastJob: z.boolean().optional(),
};

/** Publish elements of a mediapackage to a channel. */
export const distributeCommandSchema = z.object({
  ...common,
  type: z.literal('distribute'),
  checkAvailability: z.boolean().default(true),
});

/** Remove published elements of a mediapackage from a channel. */
export const retractCommandSchema = z.object({ ...common, type: z.literal('retract') });

/** Any command; unknown properties are ignored so that newer publishers stay compatible. */
export const commandSchema = z.discriminatedUnion('type', [
  distributeCommandSchema,
  retractCommandSchema,
]);

export type DistributeCommand = z.infer<typeof distributeCommandSchema>;
export type RetractCommand = z.infer<typeof retractCommandSchema>;
export type Command = z.infer<typeof commandSchema>;
export type Operation = Command['type'];
/** A distribute as requested, before it has a job id. */
export type DistributeRequest = Omit<DistributeCommand, 'version' | 'jobId'>;
/** A retract as requested, before it has a job id. */
export type RetractRequest = Omit<RetractCommand, 'version' | 'jobId'>;

/**
 * What a caller asks for before it becomes a command: the job service adds `version` and
 * `jobId`. A union of both, so narrowing on `type` still works.
 */
export type CommandRequest = DistributeRequest | RetractRequest;

/** The Opencast operation name of a command type (job XML `operation`). */
export function operationName(type: Operation): 'Distribute' | 'Retract' {
  return type === 'distribute' ? 'Distribute' : 'Retract';
}
