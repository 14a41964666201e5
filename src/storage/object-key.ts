/**
 * Checks on bucket names, object keys and prefixes before any request leaves the process.
 * Pure: no I/O, unit-tested.
 */
import { AppError } from '../errors.js';

/** S3's limit on the UTF-8 length of a key. */
export const MAX_KEY_BYTES = 1024;

// Control characters cannot travel in the XML bodies of ListObjects and DeleteObjects.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Throws INVALID_INPUT unless `bucket` can be a bucket name: 3-255 characters without
 * `/`, whitespace or control characters. Deliberately looser than today's DNS rules, since
 * older buckets and S3-compatible servers allow upper case and underscores.
 */
export function assertBucketName(bucket: string): void {
  if (
    bucket.length < 3 ||
    bucket.length > 255 ||
    /[/\s]/.test(bucket) ||
    CONTROL_CHARACTERS.test(bucket)
  ) {
    throw new AppError(
      'INVALID_INPUT',
      `Not a valid bucket name: ${JSON.stringify(bucket.slice(0, 80))}`,
    );
  }
}

/** Throws INVALID_KEY unless `key` is a non-empty key of at most 1024 UTF-8 bytes without control characters. */
export function assertObjectKey(key: string): void {
  if (key === '') throw new AppError('INVALID_KEY', 'An object key must not be empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) {
    throw new AppError('INVALID_KEY', `An object key must be at most ${MAX_KEY_BYTES} bytes`);
  }
  if (CONTROL_CHARACTERS.test(key)) {
    throw new AppError('INVALID_KEY', 'An object key must not contain control characters');
  }
}

/**
 * Throws INVALID_KEY unless `prefix` names a folder: a valid key that ends with `/`. An
 * empty prefix would delete the whole bucket and `a/b` would also delete `a/bc/`.
 */
export function assertFolderPrefix(prefix: string): void {
  if (prefix === '' || !prefix.endsWith('/')) {
    throw new AppError(
      'INVALID_KEY',
      `Refusing to delete by prefix ${JSON.stringify(prefix.slice(0, 200))}: a prefix must be non-empty and end with "/"`,
    );
  }
  assertObjectKey(prefix);
}
