import { keyFromDistributedUrl, elementFolder, type KeyContext } from './object-key.js';

/** Which folder a retract removes for one element, and how it was found. */
export interface RetractTarget {
  readonly folder: string;
  /** `url`: the URL ends in org/channel/mp/folder/file; `base`: the URL minus the base; `element-id`: neither. */
  readonly foundBy: 'url' | 'base' | 'element-id';
}

/**
 * Finds the distribution folder of a published element. Opencast derives the key from the
 * URL minus the current base and silently does nothing when the base changed. We look for
 * `org/channel/mediapackage/<folder>/<file>` at the end of the URL path first, whatever the
 * base (callers such as publish-engage re-identify elements, so the folder is not the
 * element id); then the URL minus the base (also finds keys written before Opencast 10,
 * which had no org segment); then the element's own id.
 */
export function retractTarget(context: KeyContext, url: string, baseUrl: string): RetractTarget {
  const fromPath = folderFromUrlPath(context, url);
  if (fromPath !== undefined) return { folder: fromPath, foundBy: 'url' };

  const key = keyFromDistributedUrl(baseUrl, url);
  const legacyPrefix = `${context.channelId}/${context.mediaPackageId}/`;
  if (key !== undefined && key.startsWith(legacyPrefix)) {
    const segments = key.split('/');
    if (segments.length === 4) {
      return { folder: `${segments.slice(0, 3).join('/')}/`, foundBy: 'base' };
    }
  }
  return { folder: elementFolder(context), foundBy: 'element-id' };
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
