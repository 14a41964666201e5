/**
 * Which requested elements a distribution handles as HLS (docs/opencast-wire-spec.md §5.2, §6.2): tracks
 * grouped by flavor, "each flavor is one video with multiple renditions"; a group with at
 * least one playlist is an HLS group. Everything is checked here, before any I/O.
 */
import { AppError } from '../errors.js';
import { buildReferenceMap, type ReferenceMap } from './hls-references.js';
import { isPlaylist } from './hls-playlist.js';
import type { MediaPackageElement } from './model.js';

/** The requested tracks of one flavor, containing at least one playlist. */
export interface HlsGroup {
  readonly flavor: string | undefined;
  /** Every requested track of this flavor, playlists and media, in request order. */
  readonly tracks: readonly MediaPackageElement[];
  /** The playlists among them, in request order. */
  readonly playlists: readonly MediaPackageElement[];
}

/** How the requested elements of one distribution are published. */
export interface HlsPlan {
  /** HLS groups in order of their first track; empty when no playlist was requested. */
  readonly groups: readonly HlsGroup[];
  /** Every playlist of every group: fetch these texts, then rewrite them. */
  readonly playlists: readonly MediaPackageElement[];
  /**
   * Every other requested element (non-tracks, tracks of flavors without a playlist, the
   * media of HLS groups), uploaded from its source as it is, as Opencast does.
   */
  readonly unchanged: readonly MediaPackageElement[];
}

/**
 * Splits the requested elements into HLS groups and unchanged elements, and validates each
 * HLS group like `fixReferences` (INVALID_INPUT, Opencast's messages first): fewer than two
 * tracks, no media track, or two tracks sharing a logical name. An element requested twice
 * counts once (Opencast receives the ids as a set).
 */
export function planHlsGroups(elements: readonly MediaPackageElement[]): HlsPlan {
  const unique = [...new Map(elements.map((element) => [element.id, element])).values()];
  const byFlavor = new Map<string | undefined, MediaPackageElement[]>();
  for (const element of unique) {
    if (element.elementType !== 'track') continue;
    const group = byFlavor.get(element.flavor);
    if (group === undefined) byFlavor.set(element.flavor, [element]);
    else group.push(element);
  }

  const groups: HlsGroup[] = [];
  for (const [flavor, tracks] of byFlavor) {
    const playlists = tracks.filter(isPlaylist);
    if (playlists.length === 0) continue;
    validateHlsGroup(flavor, tracks, playlists);
    groups.push({ flavor, tracks, playlists });
  }
  const playlists = groups.flatMap((group) => group.playlists);
  const rewritten = new Set(playlists);
  return { groups, playlists, unchanged: unique.filter((element) => !rewritten.has(element)) };
}

/**
 * Throws INVALID_INPUT unless the tracks of one flavor form a publishable HLS group;
 * returns the group's reference map (see `buildReferenceMap`).
 */
export function validateHlsGroup(
  flavor: string | undefined,
  tracks: readonly MediaPackageElement[],
  playlists: readonly MediaPackageElement[],
): ReferenceMap {
  const label = flavor ?? '(none)';
  if (tracks.length < 2) {
    throw new AppError(
      'INVALID_INPUT',
      `Not enough files in a playlist: flavor ${label} has ${tracks.length} track; HLS needs a playlist and its media`,
    );
  }
  if (playlists.length === tracks.length) {
    throw new AppError(
      'INVALID_INPUT',
      `No playable media segment in mediapackage: flavor ${label} has only playlists`,
    );
  }
  return buildReferenceMap(tracks, flavor);
}
