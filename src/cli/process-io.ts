/** The process's own input and output for `ocs3` (everything else takes a {@link CliIo}). */
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CliIo } from './io.js';

async function readLimited(
  chunks: AsyncIterable<Buffer | string>,
  maxBytes: number,
): Promise<string> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of chunks) {
    const part = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    bytes += part.length;
    if (bytes > maxBytes) throw new Error(`more than ${maxBytes} bytes`);
    parts.push(part);
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Reads a file (or standard input for `-`), refusing anything over `maxBytes`. */
export async function readInput(path: string, maxBytes: number): Promise<string> {
  if (path === '-') return readLimited(process.stdin, maxBytes);
  const file = await open(path, 'r');
  try {
    if (!(await file.stat()).isFile()) throw new Error('not a regular file');
    return await readLimited(file.createReadStream({ autoClose: false }), maxBytes);
  } finally {
    await file.close();
  }
}

/** Standard output and error, the file system and the clock of this process. */
export function processIo(): CliIo {
  return {
    out: process.stdout,
    err: process.stderr,
    readInput,
    sleep: (ms) => sleep(ms),
  };
}
