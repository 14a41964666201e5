import { AppError } from '../errors.js';
import { randomUUID } from 'node:crypto';
import { serializeElementArray, withUrl } from '../opencast/element-xml.js';
import { rewriteHls, type RewrittenPlaylist } from '../opencast/hls.js';
import { planHlsGroups, type HlsPlan } from '../opencast/hls-groups.js';
import { findElement, parseMediaPackage } from '../opencast/mediapackage.js';
import type { MediaPackage, MediaPackageElement } from '../opencast/model.js';
import type { XmlLimits } from '../opencast/xml-tree.js';
import type { DistributeCommand, DistributeRequest } from '../contract/command.js';
import type { Logger } from './logger.js';
import type { ElementCopies } from './copy-element.js';
import { distributionUrl, objectKey } from './object-key.js';
import type { CommandOutcome, ObjectOutcome } from './outcome.js';
import type { AvailabilityChecker, ObjectStore, SourceFetcher } from './ports.js';
import { readPlaylistTexts } from './playlist-texts.js';
import { runMetadata } from './ownership.js';
import type { RetryPolicy } from './retry.js';
import { removeCreated, type CreatedObject } from './rollback.js';
import { signingTerms, type UrlSigner } from './signed-urls.js';
import type { DistributionTarget, TargetResolver } from './targets.js';
import { writeElement } from './write-element.js';
import type { ByteBudget } from './byte-budget.js';
import { startDeadline } from './deadline.js';
import type { ProgressTracker } from './progress.js';

/** What distribute and retract need. */
export interface DistributionDeps {
  readonly store: ObjectStore;
  readonly sources: SourceFetcher;
  readonly availability: AvailabilityChecker;
  readonly targets: TargetResolver;
  readonly retry: RetryPolicy;
  readonly xmlLimits?: Partial<XmlLimits> | undefined;
  /** Makes the id of each distribute run (default: a random UUID); injectable for tests. */
  readonly newRunId?: (() => string) | undefined;
  /** Total time one command may run, every retry included (COMMAND_DEADLINE_MS); unset: none. */
  readonly commandDeadlineMs?: number | undefined;
  /** How often a running upload logs its progress; default 30 s. */
  readonly progressIntervalMs?: number | undefined;
  /** Signs the availability checks' HEADs when signed URLs are on; undefined: plain HEADs. */
  readonly signer?: UrlSigner | undefined;
  /** The worker's memory budget, shared by every command it runs; unset: no limit. */
  readonly budget?: ByteBudget | undefined;
  /** Server-side copy of sources that are objects of the store (SOURCE_S3_BUCKETS). */
  readonly copies?: ElementCopies | undefined;
  readonly logger: Logger;
}

/** How long an availability check's signed HEAD URL lives (Opencast: 5 minutes). */
const AVAILABILITY_SIGNATURE_MS = 5 * 60_000;

/**
 * Elements of one job uploading at once, at most: each holds a source connection open, and
 * the memory budget alone would let a job of many small files (HLS segments) open hundreds.
 */
export const ELEMENTS_IN_FLIGHT = 8;

/** Runs `task` over `items`, at most `limit` at a time; resolves once all have settled. */
async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** One file to write. */
export interface PlannedUpload {
  readonly element: MediaPackageElement;
  readonly key: string;
  readonly url: string;
}

/**
 * Publishes the requested elements. Everything that can be checked without I/O (the XML,
 * the element ids, the keys, the source allow-list) is checked for all elements before the
 * first byte is written, so bad input changes nothing. If an upload then fails for good,
 * the objects this run created are removed again, so a failed first publication leaves
 * nothing behind; objects that existed before (a republish) are left, never deleted. Each
 * run has its own id, stored with every object it writes, and removes an object only while
 * it still carries that id and the ETag of the run's write: another run of the same
 * elements (a redelivery, a second caller) may have published it meanwhile. `progress`,
 * when given, counts the bytes and elements written as they go.
 */
export async function distribute(
  command: DistributeCommand,
  deps: DistributionDeps,
  signal: AbortSignal,
  progress?: ProgressTracker,
): Promise<CommandOutcome> {
  const planned = planDistribution(command, deps);
  const deadline = startDeadline(signal, deps.commandDeadlineMs, `distribute job ${command.jobId}`);
  try {
    return await run(command, planned, deps, signal, deadline.signal, progress);
  } catch (error) {
    throw deadline.explain(error);
  } finally {
    deadline.clear();
  }
}

/**
 * The I/O of a distribute. `run` bounds the work (the caller's signal and the deadline);
 * `caller` alone says whether the command goes back to the queue (then no rollback).
 */
async function run(
  command: DistributeCommand,
  { mediaPackage, target, plan, hls }: DistributionPlan,
  deps: DistributionDeps,
  caller: AbortSignal,
  signal: AbortSignal,
  progress: ProgressTracker | undefined,
): Promise<CommandOutcome> {
  const runId = (deps.newRunId ?? randomUUID)();
  const metadata = runMetadata(runId, command.jobId);
  const log = deps.logger.child({ jobId: command.jobId, runId, mediaPackageId: mediaPackage.id });
  // HLS: playlists are rewritten so their references point into sibling element folders.
  const playlists: ReadonlyMap<string, RewrittenPlaylist> =
    hls.playlists.length === 0
      ? new Map()
      : rewriteHls(hls, await readPlaylistTexts(hls.playlists, { ...deps, logger: log }, signal));
  // Objects this run created (not overwrote): the only ones a rollback may remove, since an
  // overwritten object may be the live publication a republish was meant to replace.
  const created: CreatedObject[] = [];
  const objects: ObjectOutcome[] = [];
  progress?.plan(
    plan.map((upload) => {
      const text = playlists.get(upload.element.id)?.text;
      return text === undefined ? upload.element.size : Buffer.byteLength(text, 'utf8');
    }),
  );
  // The elements upload side by side (the memory budget decides how many bytes are in
  // flight); the first one that fails for good stops the others, and once all have
  // settled the objects any of them created are removed together.
  const failed = new AbortController();
  const elementSignal = failed.signal;
  const onAbort = (): void => {
    failed.abort(signal.reason);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let firstError: { readonly error: unknown } | undefined;
  const writeOne = async (upload: PlannedUpload, index: number): Promise<void> => {
    log.info({ key: upload.key, elementId: upload.element.id }, 'element upload started');
    const startedAt = Date.now();
    const playlist = playlists.get(upload.element.id);
    const written = await writeElement(
      upload,
      playlist,
      target.bucket,
      metadata,
      deps,
      log,
      elementSignal,
      (bytes, length) => progress?.bytes(index, bytes, length),
    );
    progress?.finished(index, written.size);
    if (written.created) created.push({ key: upload.key, etag: written.etag });
    log.info(
      {
        key: upload.key,
        size: written.size,
        created: written.created,
        durationMs: Date.now() - startedAt,
      },
      'element distributed',
    );
    objects[index] = describe(upload, target.bucket, written.size);
  };
  try {
    await forEachConcurrently(plan, ELEMENTS_IN_FLIGHT, async (upload, index) => {
      if (firstError !== undefined) return;
      try {
        await writeOne(upload, index);
      } catch (error) {
        firstError ??= { error };
        failed.abort(error);
      }
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (firstError !== undefined) {
    // On shutdown or a lost channel the command goes back to the queue and may already
    // run elsewhere: removing its objects now could delete what that run just wrote. A
    // deadline ends the command for good, so its objects go.
    if (!caller.aborted) await removeCreated(created, target.bucket, runId, deps.store, log);
    throw firstError.error;
  }

  if (command.checkAvailability) {
    // In parallel, each bounded by CHECK_AVAILABILITY_MAX_WAIT_MS.
    const checks = await Promise.all(
      plan.map((upload) => {
        const { signer } = deps;
        const subject = { bucket: target.bucket, key: upload.key, url: upload.url };
        const signed =
          signer === undefined
            ? undefined
            : () =>
                signer.sign(subject, signingTerms(new Date(), AVAILABILITY_SIGNATURE_MS, 'HEAD'));
        return deps.availability.check(upload.url, signal, signed);
      }),
    );
    for (const [index, upload] of plan.entries()) {
      const object = objects[index];
      const check = checks[index];
      if (object === undefined || check === undefined) continue;
      if (check.result !== 'available') {
        log.warn(
          { url: upload.url, urlCheck: check.result, detail: check.detail, tries: check.tries },
          `published URL check: ${check.result} (${check.detail}). The object is stored; ` +
            'players cannot fetch it from this URL unless DISTRIBUTION_BASE_URL is right and ' +
            'reachable from here',
        );
      }
      objects[index] = {
        ...object,
        available: check.result === 'available',
        urlCheck: { result: check.result, detail: check.detail },
      };
    }
  }

  return {
    operation: 'distribute',
    mediaPackageId: mediaPackage.id,
    payload: serializeElementArray(
      plan.map((upload) =>
        withUrl(playlists.get(upload.element.id)?.element ?? upload.element, upload.url),
      ),
    ),
    objects,
  };
}

/** The checked plan of a distribute: every element resolved, keyed and allowed. */
export interface DistributionPlan {
  readonly mediaPackage: MediaPackage;
  readonly target: DistributionTarget;
  readonly plan: readonly PlannedUpload[];
  /** The HLS groups among the requested tracks (no playlists: nothing to rewrite). */
  readonly hls: HlsPlan;
}

/**
 * Checks a distribute without I/O and says what it will write. Throws the first problem
 * found: malformed or hostile XML, an unknown element, an unsafe key, a forbidden source.
 * `parsed`: the command's mediapackage, already parsed (it must hold the named elements).
 */
export function planDistribution(
  command: DistributeRequest,
  deps: Pick<DistributionDeps, 'sources' | 'targets' | 'xmlLimits'>,
  parsed?: MediaPackage,
): DistributionPlan {
  const mediaPackage = parsed ?? parseMediaPackage(command.mediapackage, deps.xmlLimits);
  const target = deps.targets(command.organization);
  const plan = command.elementIds.map((elementId) => {
    const element = requireElement(mediaPackage, elementId);
    assertContentType(element);
    deps.sources.assertAllowed(element.url);
    const key = objectKey(
      {
        organization: command.organization,
        channelId: command.channelId,
        mediaPackageId: mediaPackage.id,
        elementId: element.id,
      },
      element.url,
    );
    return { element, key, url: distributionUrl(target.baseUrl, key) } satisfies PlannedUpload;
  });
  return { mediaPackage, target, plan, hls: planHlsGroups(plan.map((p) => p.element)) };
}

// RFC 9110 media type: token "/" token, optional parameters of printable ASCII.
const MEDIA_TYPE = /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+(?:\s*;[\x20-\x7e]*)?$/;

/** The mimetype becomes the object's Content-Type header: refuse what HTTP cannot carry. */
function assertContentType(element: MediaPackageElement): void {
  const type = element.mimetype;
  if (type !== undefined && (type.length > 255 || !MEDIA_TYPE.test(type))) {
    throw new AppError(
      'XML_INVALID',
      `Element ${element.id} has a mimetype that is not a valid media type: '${type.slice(0, 80)}'`,
    );
  }
}

/** The element with this id, or ELEMENT_NOT_FOUND with Opencast's wording. */
export function requireElement(mediaPackage: MediaPackage, id: string): MediaPackageElement {
  const element = findElement(mediaPackage, id);
  if (element === undefined) {
    throw new AppError(
      'ELEMENT_NOT_FOUND',
      `No element ${id} found in mediapackage ${mediaPackage.id}`,
    );
  }
  return element;
}

function describe(upload: PlannedUpload, bucket: string, size: number): ObjectOutcome {
  return {
    elementId: upload.element.id,
    elementType: upload.element.elementType,
    flavor: upload.element.flavor,
    mimetype: upload.element.mimetype,
    bucket,
    key: upload.key,
    url: upload.url,
    size,
  };
}
