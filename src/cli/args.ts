/**
 * The command line of `ocs3`, parsed with node:util's parseArgs into one typed command.
 * Pure: no I/O, so every rule is unit-tested. Bad input throws a {@link UsageError} whose
 * message says what was wrong and where the help is.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { identifierSchema, jobIdSchema } from '../contract/command.js';

/** A command line that cannot be run; the tool prints the message and exits with 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where the service is and who calls it; unset values come from the environment. */
export interface ServiceOptions {
  readonly url: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
}

export type CliCommand =
  | { readonly kind: 'help'; readonly topic: HelpTopic }
  | {
      readonly kind: 'submit';
      readonly operation: 'distribute' | 'retract';
      readonly mediapackageFile: string;
      readonly channel: string;
      readonly elements: readonly string[];
      readonly sync: boolean;
      readonly follow: boolean;
      readonly checkAvailability: boolean;
      readonly service: ServiceOptions;
    }
  | {
      readonly kind: 'job';
      readonly id: string;
      readonly follow: boolean;
      readonly json: boolean;
      readonly intervalMs: number;
      readonly service: ServiceOptions;
    }
  | {
      readonly kind: 'parked-list';
      readonly limit: number;
      readonly json: boolean;
      readonly amqpUrl: string | undefined;
      readonly prefix: string | undefined;
    }
  | {
      readonly kind: 'parked-replay';
      /** Message ids to replay; empty with `all`. */
      readonly ids: readonly string[];
      readonly all: boolean;
      readonly amqpUrl: string | undefined;
      readonly prefix: string | undefined;
    };

export type HelpTopic = 'main' | 'distribute' | 'retract' | 'job' | 'parked';

type Options = NonNullable<ParseArgsConfig['options']>;

const SERVICE_OPTIONS = {
  url: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
} satisfies Options;
const BROKER_OPTIONS = {
  'amqp-url': { type: 'string' },
  prefix: { type: 'string' },
} satisfies Options;
const HELP = { help: { type: 'boolean', short: 'h' } } satisfies Options;

/** Limits on what the tool accepts, so a typo cannot ask for something absurd. */
export const CLI_LIMITS = {
  /** Elements named at once (the service takes at most 1000). */
  maxElements: 1000,
  /** Parked messages listed at once. */
  maxList: 10_000,
  /** Poll interval of `job --follow`, ms. */
  minIntervalMs: 200,
  maxIntervalMs: 60_000,
} as const;

function parse<T extends Options>(args: readonly string[], options: T, topic: HelpTopic) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs names the option in its message (ERR_PARSE_ARGS_*).
    const text = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${text}\nSee: ocs3 ${topic === 'main' ? '' : `${topic} `}--help`);
  }
}

function usage(message: string, topic: HelpTopic): UsageError {
  return new UsageError(`${message}\nSee: ocs3 ${topic} --help`);
}

function identifier(value: string, what: string, topic: HelpTopic): string {
  if (!identifierSchema.safeParse(value).success) {
    throw usage(
      `${what} '${value.slice(0, 60)}' is not an identifier (1-255 of letters, digits and - _ . : ; ( ) @ + ~)`,
      topic,
    );
  }
  return value;
}

function integer(text: string, what: string, min: number, max: number, topic: HelpTopic): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw usage(
      `${what} must be a whole number from ${min} to ${max}, not '${text.slice(0, 20)}'`,
      topic,
    );
  }
  return Number(text);
}

function service(values: { url?: string; user?: string; password?: string }): ServiceOptions {
  return { url: values.url, user: values.user, password: values.password };
}

/** Parses the arguments after `ocs3`. */
export function parseCli(argv: readonly string[]): CliCommand {
  const [name, ...rest] = argv;
  switch (name) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { kind: 'help', topic: helpTopic(rest[0]) };
    case 'distribute':
    case 'retract':
      return parseSubmit(name, rest);
    case 'job':
      return parseJob(rest);
    case 'parked':
      return parseParked(rest);
    default:
      throw new UsageError(`Unknown command '${name.slice(0, 40)}'.\nSee: ocs3 --help`);
  }
}

function helpTopic(name: string | undefined): HelpTopic {
  return name === 'distribute' || name === 'retract' || name === 'job' || name === 'parked'
    ? name
    : 'main';
}

function parseSubmit(operation: 'distribute' | 'retract', args: readonly string[]): CliCommand {
  const { values, positionals } = parse(
    args,
    {
      ...HELP,
      ...SERVICE_OPTIONS,
      channel: { type: 'string', short: 'c' },
      element: { type: 'string', short: 'e', multiple: true },
      sync: { type: 'boolean' },
      follow: { type: 'boolean', short: 'f' },
      'no-check-availability': { type: 'boolean' },
    },
    operation,
  );
  if (values.help === true) return { kind: 'help', topic: operation };
  if (positionals.length !== 1 || positionals[0] === undefined || positionals[0] === '') {
    throw usage('Name one mediapackage XML file (or - for standard input).', operation);
  }
  if (values.channel === undefined) throw usage('--channel is required.', operation);
  if (values.sync === true && values.follow === true) {
    throw usage('--sync waits already; --follow is for the asynchronous form.', operation);
  }
  if (operation === 'retract' && values['no-check-availability'] === true) {
    throw usage('--no-check-availability applies to distribute only.', operation);
  }
  const elements = (values.element ?? []).map((id) => identifier(id, 'Element id', operation));
  if (elements.length > CLI_LIMITS.maxElements) {
    throw usage(`At most ${CLI_LIMITS.maxElements} elements at once.`, operation);
  }
  if (new Set(elements).size !== elements.length) {
    throw usage('An element id is named twice.', operation);
  }
  return {
    kind: 'submit',
    operation,
    mediapackageFile: positionals[0],
    channel: identifier(values.channel, 'Channel', operation),
    elements,
    sync: values.sync === true,
    follow: values.follow === true,
    checkAvailability: values['no-check-availability'] !== true,
    service: service(values),
  };
}

function parseJob(args: readonly string[]): CliCommand {
  const { values, positionals } = parse(
    args,
    {
      ...HELP,
      ...SERVICE_OPTIONS,
      follow: { type: 'boolean', short: 'f' },
      json: { type: 'boolean' },
      interval: { type: 'string' },
    },
    'job',
  );
  if (values.help === true) return { kind: 'help', topic: 'job' };
  const [id] = positionals;
  if (positionals.length !== 1 || id === undefined) throw usage('Name one job id.', 'job');
  if (!jobIdSchema.safeParse(id).success) {
    throw usage(`'${id.slice(0, 40)}' is not a job id (a decimal number).`, 'job');
  }
  if (values.json === true && values.follow === true) {
    throw usage('--json prints the job once; leave out --follow.', 'job');
  }
  const intervalMs =
    values.interval === undefined
      ? 1000
      : integer(
          values.interval,
          '--interval',
          CLI_LIMITS.minIntervalMs,
          CLI_LIMITS.maxIntervalMs,
          'job',
        );
  return {
    kind: 'job',
    id,
    follow: values.follow === true,
    json: values.json === true,
    intervalMs,
    service: service(values),
  };
}

function parseParked(args: readonly string[]): CliCommand {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h' || action === 'help') {
    return { kind: 'help', topic: 'parked' };
  }
  if (action === 'list') {
    const { values, positionals } = parse(
      rest,
      { ...HELP, ...BROKER_OPTIONS, limit: { type: 'string' }, json: { type: 'boolean' } },
      'parked',
    );
    if (values.help === true) return { kind: 'help', topic: 'parked' };
    if (positionals.length > 0) throw usage('parked list takes no arguments.', 'parked');
    return {
      kind: 'parked-list',
      limit:
        values.limit === undefined
          ? 100
          : integer(values.limit, '--limit', 1, CLI_LIMITS.maxList, 'parked'),
      json: values.json === true,
      amqpUrl: values['amqp-url'],
      prefix: values.prefix,
    };
  }
  if (action === 'replay') {
    const { values, positionals } = parse(
      rest,
      { ...HELP, ...BROKER_OPTIONS, all: { type: 'boolean' } },
      'parked',
    );
    if (values.help === true) return { kind: 'help', topic: 'parked' };
    const all = values.all === true;
    if (all === positionals.length > 0) {
      throw usage('Name the message ids to replay, or --all (not both).', 'parked');
    }
    for (const id of positionals) {
      // AMQP short strings: what a message id can be.
      // eslint-disable-next-line no-control-regex -- control characters are what is refused
      if (id === '' || Buffer.byteLength(id) > 255 || /[\u0000-\u001f\u007f]/.test(id)) {
        throw usage(`'${id.slice(0, 40)}' cannot be a message id.`, 'parked');
      }
    }
    return {
      kind: 'parked-replay',
      ids: [...new Set(positionals)],
      all,
      amqpUrl: values['amqp-url'],
      prefix: values.prefix,
    };
  }
  throw usage(`Unknown parked action '${action.slice(0, 40)}' (list or replay).`, 'parked');
}
