/**
 * The reference map of one HLS group (docs/opencast-wire-spec.md §6.2 b): logical name -> the relative
 * reference under which that element is reachable from any other element of the same
 * mediapackage publication.
 *
 * Every element is published at `<mp>/<elementId>/<fileName>`, so from inside any element
 * folder another element is always `../<elementId>/<fileName>`. Opencast computes the same
 * value with `Path.relativize` over workspace paths; we build it directly.
 *
 * References come only from element ids and URLs, never from playlist content, so a
 * playlist can never make another playlist point outside its mediapackage.
 */
import { assertSafeSegment, encodeSegment, fileNameFromUrl } from './key-segment.js';
import { AppError } from '../errors.js';
import { isPlaylist } from './hls-playlist.js';
import type { MediaPackageElement } from './model.js';

/**
 * The name playlists use for an element: its `logicalname`, or when unset (or empty) the
 * file name of its URL. Opencast falls back to the whole URL path, which never equals a
 * playlist line, so a playlist of tracks without logical names went out unchanged and
 * unplayable (spec §6.5 step 7). The file name is what a playlist written next to its
 * media actually contains.
 */
export function logicalNameOf(element: MediaPackageElement): string {
  const name = element.logicalName;
  return name === undefined || name === '' ? fileNameFromUrl(element.url) : name;
}

/**
 * `../<elementId>/<fileName>`, each segment percent-encoded with the rule of
 * `distributionUrl`, so a player resolving it lands on the stored key. INVALID_KEY for an
 * element id that is not a safe key segment (such as `..`) or a URL without a file name.
 */
export function relativeReference(element: MediaPackageElement): string {
  assertSafeSegment(element.id, 'Element id');
  return `../${encodeSegment(element.id)}/${encodeSegment(fileNameFromUrl(element.url))}`;
}

/** A logical name two or more media tracks of one group share. */
export interface AmbiguousName {
  readonly trackIds: readonly string[];
}

/** Logical name -> relative reference, or the tracks that share the name. */
export type ReferenceMap = ReadonlyMap<string, string | AmbiguousName>;

/**
 * Logical name -> relative reference for the tracks of one group. Opencast keeps one of
 * two tracks with the same logical name at random (a HashMap), which silently drops a
 * playlist or points a playlist at the wrong media. We refuse (INVALID_INPUT) when a
 * playlist shares its name, and mark a name shared by media tracks only as ambiguous: a
 * flavor may hold progressive files beside the HLS renditions, and that is only an error
 * if a playlist line actually refers to the name (see `resolveReference`).
 */
export function buildReferenceMap(
  tracks: readonly MediaPackageElement[],
  flavor: string | undefined,
): ReferenceMap {
  const byName = new Map<string, MediaPackageElement[]>();
  for (const track of tracks) {
    const name = logicalNameOf(track);
    byName.set(name, [...(byName.get(name) ?? []), track]);
  }
  const references = new Map<string, string | AmbiguousName>();
  for (const [name, owners] of byName) {
    const [first, second] = owners;
    if (first === undefined) continue;
    if (second === undefined) {
      references.set(name, relativeReference(first));
    } else if (owners.some(isPlaylist)) {
      throw new AppError(
        'INVALID_INPUT',
        `Tracks ${first.id} and ${second.id} of flavor ${flavor ?? '(none)'} share the logical name ${JSON.stringify(name)}, and one is a playlist; playlist references would be ambiguous`,
      );
    } else {
      for (const owner of owners) relativeReference(owner); // same id/URL checks as above
      references.set(name, { trackIds: owners.map((o) => o.id) });
    }
  }
  return references;
}
