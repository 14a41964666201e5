/**
 * Opencast's `AdaptivePlaylist.fixReferences` (docs/opencast-wire-spec.md §6.2 b) as pure functions: the
 * playlists of an HLS group are rewritten so that every reference to another element of
 * the group becomes `../<elementId>/<fileName>`, which resolves between the element
 * folders of the publication.
 *
 * Use: `planHlsGroups(requested)` says which playlists to fetch (`plan.playlists`); with
 * their texts, `rewriteHls(plan, texts)` gives each playlist's new text and element.
 */
import { AppError } from '../errors.js';
import { withHlsFields } from './element-xml.js';
import { validateHlsGroup, type HlsPlan } from './hls-groups.js';
import { rewriteLines } from './hls-lines.js';
import {
  DEFAULT_HLS_LIMITS,
  isMasterPlaylist,
  isPlaylist,
  playlistLines,
  type HlsLimits,
} from './hls-playlist.js';
import { relativeReference } from './hls-references.js';
import type { MediaPackageElement } from './model.js';

/** One playlist ready to publish. */
export interface RewrittenPlaylist {
  /** The playlist track with `logicalname` and `master` set; its URL is still the source. */
  readonly element: MediaPackageElement;
  /** The playlist text to upload instead of the source file. */
  readonly text: string;
}

/** The tracks of one flavor and the texts of its playlists, by element id. */
export interface HlsGroupInput {
  readonly tracks: readonly MediaPackageElement[];
  readonly playlistTexts: ReadonlyMap<string, string>;
  readonly limits?: Partial<HlsLimits> | undefined;
}

/**
 * Rewrites every playlist of one group (the tracks of one flavor). Media tracks are not
 * returned: Opencast publishes the originals unchanged.
 *
 * - Each playlist's `logicalname` becomes its own reference `../<id>/<file>`, as Opencast
 *   sets it, so the names in the published elements match the published texts.
 * - `master` is `true` exactly for playlists whose text has a master tag, `false` for the
 *   others. Opencast sets the flag while searching its HashMap and stops at the first
 *   master, so its result depends on iteration order; the lone variant playlist of spec
 *   §6.5 gets `false` in both.
 *
 * Throws INVALID_INPUT for an invalid group (see `validateHlsGroup`) or a text over the
 * limits, INTERNAL (not retryable) when the text of a playlist is missing.
 */
export function rewritePlaylists(group: HlsGroupInput): { playlists: RewrittenPlaylist[] } {
  const limits: HlsLimits = {
    maxBytes: group.limits?.maxBytes ?? DEFAULT_HLS_LIMITS.maxBytes,
    maxLines: group.limits?.maxLines ?? DEFAULT_HLS_LIMITS.maxLines,
  };
  const flavor = group.tracks[0]?.flavor;
  const playlistTracks = group.tracks.filter(isPlaylist);
  const references = validateHlsGroup(flavor, group.tracks, playlistTracks);

  const playlists = playlistTracks.map((track) => {
    const source = group.playlistTexts.get(track.id);
    if (source === undefined) {
      throw new AppError('INTERNAL', `No playlist text was given for track ${track.id}`, {
        retryable: false,
      });
    }
    const text = rewriteLines(playlistLines(source, `Playlist ${track.id}`, limits), references);
    const element = withHlsFields(track, {
      logicalName: relativeReference(track),
      master: isMasterPlaylist(source),
    });
    return { element, text };
  });
  return { playlists };
}

/**
 * Rewrites the playlists of every group of a plan. `texts` holds the fetched text of each
 * element of `plan.playlists`, by element id. The result maps playlist element ids to what
 * to upload and return in their place; every other element is distributed as it is.
 */
export function rewriteHls(
  plan: HlsPlan,
  texts: ReadonlyMap<string, string>,
  limits?: Partial<HlsLimits>,
): ReadonlyMap<string, RewrittenPlaylist> {
  const result = new Map<string, RewrittenPlaylist>();
  for (const { tracks } of plan.groups) {
    const { playlists } = rewritePlaylists({ tracks, playlistTexts: texts, limits });
    for (const playlist of playlists) result.set(playlist.element.id, playlist);
  }
  return result;
}
