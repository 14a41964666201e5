import { AppError } from '../errors.js';
import { serializeElementArray } from '../opencast/element-xml.js';
import { parseMediaPackage } from '../opencast/mediapackage.js';
import type { MediaPackage } from '../opencast/model.js';
import type { RetractCommand, RetractRequest } from '../contract/command.js';
import { requireElement, type DistributionDeps } from './distribute.js';
import type { CommandOutcome, ObjectOutcome } from './outcome.js';
import { retractTarget } from './retract-target.js';
import { withRetry } from './retry.js';
import { startDeadline } from './deadline.js';

/** Checks a retract without I/O and says which folder of each element it removes. */
export function planRetract(
  command: RetractRequest,
  deps: Pick<DistributionDeps, 'targets' | 'xmlLimits'>,
  parsed?: MediaPackage,
) {
  const mediaPackage = parsed ?? parseMediaPackage(command.mediapackage, deps.xmlLimits);
  const target = deps.targets(command.organization);
  const plan = command.elementIds.map((elementId) => {
    const element = requireElement(mediaPackage, elementId);
    const context = {
      organization: command.organization,
      channelId: command.channelId,
      mediaPackageId: mediaPackage.id,
      elementId: element.id,
    };
    return { element, target: retractTarget(context, element.url, target.baseUrl) };
  });
  return { mediaPackage, target, plan };
}

/**
 * Removes the distribution folder of each requested element, so renditions and files
 * written under an older base URL go as well. Deleting what is already gone succeeds, so a
 * redelivered retract is harmless. The elements are returned unchanged, as Opencast does.
 */
export async function retract(
  command: RetractCommand,
  deps: Pick<
    DistributionDeps,
    'store' | 'targets' | 'retry' | 'xmlLimits' | 'logger' | 'commandDeadlineMs'
  >,
  caller: AbortSignal,
): Promise<CommandOutcome> {
  const planned = planRetract(command, deps);
  const deadline = startDeadline(caller, deps.commandDeadlineMs, `retract job ${command.jobId}`);
  try {
    return await removeFolders(command, planned, deps, deadline.signal);
  } catch (error) {
    throw deadline.explain(error);
  } finally {
    deadline.clear();
  }
}

async function removeFolders(
  command: RetractCommand,
  { mediaPackage, target, plan }: ReturnType<typeof planRetract>,
  deps: Pick<DistributionDeps, 'store' | 'retry' | 'logger'>,
  signal: AbortSignal,
): Promise<CommandOutcome> {
  const log = deps.logger.child({ jobId: command.jobId, mediaPackageId: mediaPackage.id });
  const objects: ObjectOutcome[] = [];
  for (const { element, target: found } of plan) {
    if (found.folder.split('/').length !== 5) {
      // elementFolder() builds exactly org/channel/mp/element/; anything else is a bug.
      throw new AppError('INVALID_KEY', `Refusing to delete the prefix ${found.folder}`);
    }
    const deleted = await withRetry(
      async () => {
        const count = await deps.store.deletePrefix(target.bucket, found.folder, signal);
        if (found.legacyKey === undefined) return count;
        await deps.store.deleteObject(target.bucket, found.legacyKey, signal);
        return count + 1;
      },
      deps.retry,
      signal,
      (err, attempt, delayMs) => {
        log.warn({ err, attempt, delayMs, folder: found.folder }, 'delete failed, trying again');
      },
    );
    log.info({ folder: found.folder, foundBy: found.foundBy, deleted }, 'element retracted');
    objects.push({
      elementId: element.id,
      elementType: element.elementType,
      flavor: element.flavor,
      mimetype: element.mimetype,
      bucket: target.bucket,
      key: found.folder,
      url: element.url,
      size: deleted,
    });
  }

  return {
    operation: 'retract',
    mediaPackageId: mediaPackage.id,
    payload: serializeElementArray(plan.map(({ element }) => element)),
    objects,
  };
}
