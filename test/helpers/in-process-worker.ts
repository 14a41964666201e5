/**
 * The worker's own command handler run in the test's process: real S3 (through `store`),
 * real HTTP sources, no broker. Events are recorded instead of published; replies go nowhere.
 */
import pino from 'pino';
import type { OutgoingEvent } from '../../src/contract/event.js';
import type { DistributionDeps } from '../../src/distribution/distribute.js';
import type { ObjectStore } from '../../src/distribution/ports.js';
import { createTargetResolver } from '../../src/distribution/targets.js';
import { createSourceFetcher } from '../../src/sources/source-fetcher.js';
import {
  processCommand,
  type CommandDisposition,
  type WorkerDeps,
} from '../../src/worker/process-command.js';
import { readFixture } from './fixtures.js';

export interface InProcessWorkerOptions {
  readonly store: ObjectStore;
  /** The only URL prefix the worker may fetch sources from. */
  readonly sourceBaseUrl: string;
  readonly bucket: string;
  /** The S3 endpoint the published URLs start with (`<endpoint>/<bucket>/`). */
  readonly s3Endpoint: string;
  /** Connect and read timeout of the source fetcher. */
  readonly sourceTimeoutMs: number;
  /** The rest of the distribution's deps (retry policy, logger, deadline, run ids). */
  readonly distribution: Pick<DistributionDeps, 'retry' | 'logger'> &
    Partial<Omit<DistributionDeps, 'store' | 'sources' | 'availability' | 'targets'>>;
}

export interface InProcessWorker {
  /** The events it published, in order. */
  readonly events: OutgoingEvent[];
  /** Runs one command body (a first delivery) to its end. */
  readonly run: (body: Buffer) => Promise<CommandDisposition>;
}

/** A worker whose availability checks always succeed and whose events are kept. */
export function inProcessWorker(options: InProcessWorkerOptions): InProcessWorker {
  const events: OutgoingEvent[] = [];
  const distribution: DistributionDeps = {
    store: options.store,
    sources: createSourceFetcher({
      allowedUrlPrefixes: [options.sourceBaseUrl],
      sharedStorage: [],
      fileRoots: [],
      credentials: [],
      connectTimeoutMs: options.sourceTimeoutMs,
      readTimeoutMs: options.sourceTimeoutMs,
      maxRedirects: 0,
    }),
    availability: {
      check: () => Promise.resolve({ result: 'available', detail: 'HTTP 200', tries: 1 }),
    },
    targets: createTargetResolver(new Map(), {
      bucket: options.bucket,
      baseUrl: `${options.s3Endpoint}/${options.bucket}/`,
    }),
    ...options.distribution,
  };
  const deps: WorkerDeps = {
    distribution,
    publishEvent: (event) => {
      events.push(event);
      return Promise.resolve();
    },
    sendReply: () => Promise.resolve(),
    maxCommandBytes: 1024 * 1024,
    clock: () => new Date(),
    logger: pino({ level: 'silent' }),
  };
  return {
    events,
    run: (body) => processCommand({ body, deliveryCount: 0 }, deps, new AbortController().signal),
  };
}

/** Opencast's fixture mediapackage with every relative element URL under `sourceBaseUrl`. */
export function fixtureMediapackage(sourceBaseUrl: string): string {
  return readFixture('mediapackage.xml').replace(
    /<url>([^<:]+)<\/url>/g,
    (_m, path: string) => `<url>${sourceBaseUrl}${path}</url>`,
  );
}

/** A distribute command of the fixture mediapackage, as the worker receives it. */
export function distributeCommand(
  jobId: string,
  channelId: string,
  elementIds: readonly string[],
  sourceBaseUrl: string,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: 1,
      type: 'distribute',
      jobId,
      organization: 'mh_default_org',
      channelId,
      mediapackage: fixtureMediapackage(sourceBaseUrl),
      elementIds,
      checkAvailability: false,
    }),
  );
}
