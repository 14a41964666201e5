/**
 * Opens a file of a shared-storage directory or `file:` root for streaming. Symlinks are
 * resolved first and the real path must still lie inside the real root, so a link cannot
 * publish a file from elsewhere. A hard link cannot be resolved: where asked (`file:` roots
 * by default), a regular file with more than one link is refused.
 */
import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import type { SourceStream } from '../distribution/ports.js';
import { AppError } from '../errors.js';
import { isInside } from './local-path.js';
import { createSourceReadable, type ChunkSource } from './source-readable.js';

const CHUNK_SIZE = 64 * 1024;
// POSIX flags (the service runs on Linux). O_NOFOLLOW: the path is already real, so a
// link appearing now is an attack. O_NONBLOCK: opening a FIFO must not hang; it is then
// refused as not a regular file.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function fsError(error: unknown, description: string): AppError {
  const code = errnoCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') {
    return new AppError('SOURCE_NOT_FOUND', `Source ${description} does not exist`, {
      cause: error,
    });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'ELOOP') {
    return new AppError('SOURCE_FORBIDDEN', `Source ${description} cannot be opened (${code})`, {
      cause: error,
    });
  }
  return new AppError('SOURCE_UNAVAILABLE', `Source ${description} cannot be read`, {
    cause: error,
  });
}

function fileChunks(handle: FileHandle): ChunkSource {
  return {
    async read() {
      const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_SIZE, null);
      return bytesRead === 0 ? undefined : buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

async function realRoot(root: string, description: string): Promise<string> {
  try {
    return await realpath(root);
  } catch (error) {
    // A missing root is a missing mount, not a missing file: it may come back.
    throw new AppError('SOURCE_UNAVAILABLE', `Root directory of source ${description} is missing`, {
      cause: error,
    });
  }
}

/** Options of {@link openLocalFile}. */
export interface LocalFileOptions {
  /** Quoted URL for error messages. */
  readonly description: string;
  /** Longest wait for one read: a hung network mount must not stall a job for ever. */
  readonly idleTimeoutMs: number;
  /** Refuse a regular file with more than one hard link (`file:` roots, by default). */
  readonly refuseHardlinks?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Opens `path` below `root` for reading.
 * @throws AppError SOURCE_NOT_FOUND (missing or not a regular file), SOURCE_FORBIDDEN
 * (outside the root after resolving links, no permission) or SOURCE_UNAVAILABLE.
 */
export async function openLocalFile(
  root: string,
  path: string,
  options: LocalFileOptions,
): Promise<SourceStream> {
  const { description, signal } = options;
  const rootPath = await realRoot(root, description);
  let handle: FileHandle;
  try {
    const real = await realpath(path);
    if (!isInside(rootPath, real)) {
      throw new AppError('SOURCE_FORBIDDEN', `Source ${description} resolves outside its root`);
    }
    signal?.throwIfAborted();
    handle = await open(real, OPEN_FLAGS);
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal?.aborted === true) {
      throw new AppError('SOURCE_UNAVAILABLE', `Opening source ${description} was aborted`, {
        cause: signal.reason,
      });
    }
    throw fsError(error, description);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new AppError('SOURCE_NOT_FOUND', `Source ${description} is not a regular file`);
    }
    // fstat of the open descriptor: a link made after the check cannot change what is read.
    if (options.refuseHardlinks === true && stats.nlink > 1) {
      throw new AppError(
        'SOURCE_FORBIDDEN',
        `Source ${description} has ${stats.nlink} hard links; it may be a file from outside its root (SOURCE_FILE_ALLOW_HARDLINKS)`,
      );
    }
    const body = createSourceReadable(fileChunks(handle), {
      description,
      idleTimeoutMs: options.idleTimeoutMs,
      signal,
    });
    return { body, contentLength: stats.size, contentType: undefined };
  } catch (error) {
    await handle.close();
    throw error instanceof AppError ? error : fsError(error, description);
  }
}
