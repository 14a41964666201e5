import { AppError } from '../errors.js';
import { DEFAULT_HLS_LIMITS } from '../opencast/hls-playlist.js';
import type { MediaPackageElement } from '../opencast/model.js';
import type { Logger } from './logger.js';
import type { SourceFetcher } from './ports.js';
import { withRetry, type RetryPolicy } from './retry.js';

/**
 * Reads the text of each HLS playlist that is to be rewritten. Playlists are small, so
 * they are held in memory, but never more than the HLS limit: a larger "playlist" is
 * refused instead of read.
 */
export async function readPlaylistTexts(
  playlists: readonly MediaPackageElement[],
  deps: { readonly sources: SourceFetcher; readonly retry: RetryPolicy; readonly logger: Logger },
  signal: AbortSignal,
): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for (const playlist of playlists) {
    const text = await withRetry(
      () => readText(playlist, deps.sources, signal),
      deps.retry,
      signal,
      (err, attempt, delayMs) => {
        deps.logger.warn({ err, attempt, delayMs, url: playlist.url }, 'playlist read failed');
      },
    );
    texts.set(playlist.id, text);
  }
  return texts;
}

async function readText(
  playlist: MediaPackageElement,
  sources: SourceFetcher,
  signal: AbortSignal,
): Promise<string> {
  const limit = DEFAULT_HLS_LIMITS.maxBytes;
  const source = await sources.open(playlist.url, signal);
  try {
    if (source.contentLength !== undefined && source.contentLength > limit) {
      throw tooLarge(playlist);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of source.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge(playlist);
      chunks.push(chunk);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    } catch (cause) {
      throw new AppError('INVALID_INPUT', `Playlist ${playlist.id} is not UTF-8 text`, { cause });
    }
  } finally {
    source.body.destroy();
  }
}

function tooLarge(playlist: MediaPackageElement): AppError {
  return new AppError(
    'INVALID_INPUT',
    `Playlist ${playlist.id} is larger than ${DEFAULT_HLS_LIMITS.maxBytes} bytes`,
  );
}
