/** `ocs3`: parses the command line, runs one command, and says how it went (exit status). */
import { ConfigError, loadCliSettings, type CliSettings } from '../config.js';
import { isAppError } from '../errors.js';
import { ParkedQueue } from '../messaging/parked-queue.js';
import { parseCli, UsageError, type CliCommand, type ServiceOptions } from './args.js';
import { CliError, EXIT } from './cli-error.js';
import { helpText } from './help.js';
import type { CliIo } from './io.js';
import { followJob, showJob } from './job-follow.js';
import { listParked, replayParked } from './parked.js';
import { ServiceClient } from './service-client.js';
import { MAX_MEDIAPACKAGE_BYTES, submit } from './submit.js';

/** Sync requests wait for the service (SYNC_TIMEOUT_MS, 280 s by default) and some more. */
const SYNC_TIMEOUT_MS = 15 * 60_000;
const CALL_TIMEOUT_MS = 60_000;

/** Runs `ocs3 <argv>`; resolves with the exit status and never rejects. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCli(argv);
    if (command.kind === 'help') {
      io.out.write(helpText(command.topic));
      return EXIT.ok;
    }
    return await run(command, loadCliSettings(io.env), io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err.write(`ocs3: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.err.write(`ocs3: ${error.message}\n`);
      return error.exitCode;
    }
    if (isAppError(error)) {
      io.err.write(`ocs3: ${error.message}\n`);
      return error.code === 'BROKER_UNAVAILABLE' ? EXIT.unreachable : EXIT.failed;
    }
    io.err.write(
      `ocs3: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failed;
  }
}

async function run(
  command: Exclude<CliCommand, { kind: 'help' }>,
  settings: CliSettings,
  io: CliIo,
): Promise<number> {
  switch (command.kind) {
    case 'submit': {
      const client = clientFor(
        command.service,
        settings,
        command.sync ? SYNC_TIMEOUT_MS : CALL_TIMEOUT_MS,
      );
      const mediapackage = await readMediapackage(command.mediapackageFile, io);
      return submit(
        client,
        {
          operation: command.operation,
          mediapackage,
          channel: command.channel,
          elements: command.elements,
          checkAvailability: command.checkAvailability,
        },
        { sync: command.sync, follow: command.follow, intervalMs: 1000 },
        io,
      );
    }
    case 'job': {
      const client = clientFor(command.service, settings, CALL_TIMEOUT_MS);
      return command.follow
        ? followJob(client, command.id, command.intervalMs, io)
        : showJob(client, command.id, command.json, io);
    }
    case 'parked-list':
    case 'parked-replay': {
      const queue = await ParkedQueue.open(
        command.amqpUrl ?? settings.amqpUrl,
        command.prefix ?? settings.amqpPrefix,
      );
      try {
        return command.kind === 'parked-list'
          ? await listParked(queue, command.limit, command.json, io)
          : await replayParked(queue, command.ids, command.all, io);
      } finally {
        await queue.close();
      }
    }
  }
}

function clientFor(
  options: ServiceOptions,
  settings: CliSettings,
  timeoutMs: number,
): ServiceClient {
  const url = options.url ?? settings.serviceUrl;
  if (url === undefined) throw new UsageError('Where is the service? Set --url or OCS3_URL.');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url '${url.slice(0, 80)}' is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`--url must be an http(s) URL, not ${parsed.protocol}`);
  }
  const user = options.user ?? settings.user;
  const password = options.password ?? settings.password;
  if (user !== undefined && password === undefined) {
    throw new UsageError('A user needs a password: --password or OCS3_PASSWORD.');
  }
  return new ServiceClient({ url, user, password }, timeoutMs);
}

async function readMediapackage(path: string, io: CliIo): Promise<string> {
  try {
    return await io.readInput(path, MAX_MEDIAPACKAGE_BYTES);
  } catch (error) {
    throw new CliError(
      `Cannot read ${path === '-' ? 'standard input' : path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
