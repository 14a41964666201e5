/**
 * A pass-through stream that counts the bytes of an upload body and fails the stream,
 * before the upload can complete, when the body is longer than allowed or does not match
 * its declared length. A failed body makes the upload abort instead of storing a
 * truncated object.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../errors.js';

/** Limits a {@link ByteCounter} enforces. */
export interface ByteCounterLimits {
  /** The declared length: the body must have exactly this many bytes. */
  readonly expectedBytes?: number | undefined;
  /** The most bytes the upload can take (S3's 10,000-part limit for unknown lengths). */
  readonly maxBytes: number;
  /** Told the running total after each chunk (progress reporting). */
  readonly onBytes?: ((total: number) => void) | undefined;
}

/** Counts bytes flowing through; see the module comment. */
export class ByteCounter extends Transform {
  #bytes = 0;
  readonly #limits: ByteCounterLimits;

  constructor(limits: ByteCounterLimits) {
    // Object mode on the writable side lets _transform refuse non-byte chunks with an
    // error (a byte-mode write() would throw them synchronously out of pipe()). Its
    // high-water mark then counts chunks, not bytes: one keeps the buffering small.
    super({ writableObjectMode: true, writableHighWaterMark: 1 });
    this.#limits = limits;
  }

  /** Bytes that passed so far. */
  get bytes(): number {
    return this.#bytes;
  }

  override _transform(
    chunk: unknown,
    _encoding: BufferEncoding,
    callback: TransformCallback,
  ): void {
    if (!(chunk instanceof Uint8Array)) {
      callback(new AppError('INVALID_INPUT', 'An upload body must be a byte stream'));
      return;
    }
    this.#bytes += chunk.byteLength;
    const { expectedBytes, maxBytes } = this.#limits;
    if (expectedBytes !== undefined && this.#bytes > expectedBytes) {
      callback(lengthMismatch(this.#bytes, expectedBytes, 'at least'));
      return;
    }
    if (this.#bytes > maxBytes) {
      callback(
        new AppError(
          'STORAGE_REJECTED',
          `The body is larger than ${maxBytes} bytes, the most this upload can store; declare its length to allow larger parts`,
        ),
      );
      return;
    }
    this.#limits.onBytes?.(this.#bytes);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { expectedBytes } = this.#limits;
    if (expectedBytes !== undefined && this.#bytes !== expectedBytes) {
      callback(lengthMismatch(this.#bytes, expectedBytes, 'only'));
      return;
    }
    callback();
  }
}

// A body that disagrees with its Content-Length is a truncated or mis-declared download:
// worth another try, and never worth storing.
function lengthMismatch(actual: number, expected: number, relation: string): AppError {
  return new AppError(
    'SOURCE_UNAVAILABLE',
    `The body has ${relation} ${actual} bytes but its declared length is ${expected}`,
  );
}
