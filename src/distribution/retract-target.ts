import { elementFolder, keyFromDistributedUrl, type KeyContext } from './object-key.js';

/** What a retract removes for one element, and how it was found. */
export interface RetractTarget {
  /** The element folder, always `org/channel/mediapackage/element/` of this mediapackage. */
  readonly folder: string;
  /** `url`: the URL ends in org/channel/mp/folder/file; `element-id`: it does not. */
  readonly foundBy: 'url' | 'element-id';
  /**
   * A key written before Opencast 10 (no org segment: `channel/mp/element/file`) that the
   * URL points to under the base. Only this exact key is deleted, as Opencast does: a
   * three-segment prefix could match the folder of another organization's mediapackage.
   */
  readonly legacyKey?: string | undefined;
}

/**
 * Finds the distribution folder of a published element. Opencast derives the key from the
 * URL minus the current base and silently does nothing when the base changed. We look for
 * `org/channel/mediapackage/<folder>/<file>` at the end of the URL path, whatever the base
 * (callers such as publish-engage re-identify elements, so the folder is not the element
 * id), and fall back to the element's own id. The folder always lies inside this
 * command's organization, channel and mediapackage.
 */
export function retractTarget(context: KeyContext, url: string, baseUrl: string): RetractTarget {
  const fromPath = folderFromUrlPath(context, url);
  const legacyKey = legacyKeyOf(context, url, baseUrl);
  if (fromPath !== undefined) return { folder: fromPath, foundBy: 'url', legacyKey };
  return { folder: elementFolder(context), foundBy: 'element-id', legacyKey };
}

function legacyKeyOf(context: KeyContext, url: string, baseUrl: string): string | undefined {
  const key = keyFromDistributedUrl(baseUrl, url);
  if (key === undefined) return undefined;
  const segments = key.split('/');
  return segments.length === 4 &&
    segments[0] === context.channelId &&
    segments[1] === context.mediaPackageId
    ? key
    : undefined;
}

function folderFromUrlPath(context: KeyContext, url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const segments = path.split('/');
  if (segments.length < 6) return undefined;
  let tail: string[];
  try {
    tail = segments.slice(-5).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
  const [org, channel, mp, folder] = tail;
  if (
    org !== context.organization ||
    channel !== context.channelId ||
    mp !== context.mediaPackageId ||
    folder === undefined
  ) {
    return undefined;
  }
  try {
    return elementFolder({ ...context, elementId: folder });
  } catch {
    return undefined;
  }
}
