import { NoSuchBucket, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import {
  abortedError,
  isNotFound,
  storageCodeFor,
  toStorageError,
} from '../../../src/storage/s3-errors.js';

function serviceError(
  name: string,
  status: number | undefined,
  message = name,
): S3ServiceException {
  return new S3ServiceException({
    name,
    message,
    $fault: status !== undefined && status >= 500 ? 'server' : 'client',
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  });
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: {} });
}

describe('toStorageError', () => {
  it.each([
    ['SlowDown', 503],
    ['ServiceUnavailable', 503],
    ['InternalError', 500],
    ['BadGateway', 502],
    ['TooManyRequests', 429],
    ['RequestTimeout', 400],
    ['OperationAborted', 409],
  ])('maps %s (HTTP %i) to retryable STORAGE_UNAVAILABLE', (name, status) => {
    const mapped = toStorageError(serviceError(name, status), 'PutObject s3://b/k');
    expect(mapped.code).toBe('STORAGE_UNAVAILABLE');
    expect(mapped.retryable).toBe(true);
  });

  it.each([
    ['AccessDenied', 403],
    ['InvalidAccessKeyId', 403],
    ['SignatureDoesNotMatch', 403],
    ['InvalidBucketName', 400],
    ['EntityTooLarge', 400],
    ['PermanentRedirect', 301],
  ])('maps %s (HTTP %i) to terminal STORAGE_REJECTED', (name, status) => {
    const mapped = toStorageError(serviceError(name, status), 'PutObject s3://b/k');
    expect(mapped.code).toBe('STORAGE_REJECTED');
    expect(mapped.retryable).toBe(false);
  });

  it('maps the SDK classes NoSuchBucket and NoSuchKey to STORAGE_REJECTED', () => {
    const bucket = new NoSuchBucket({
      message: 'The specified bucket does not exist',
      $metadata: { httpStatusCode: 404 },
    });
    const key = new NoSuchKey({
      message: 'The specified key does not exist',
      $metadata: { httpStatusCode: 404 },
    });
    expect(toStorageError(bucket, 'op').code).toBe('STORAGE_REJECTED');
    expect(toStorageError(key, 'op').code).toBe('STORAGE_REJECTED');
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])(
    'maps the network error %s to STORAGE_UNAVAILABLE',
    (code) => {
      expect(toStorageError(systemError(code), 'op').code).toBe('STORAGE_UNAVAILABLE');
    },
  );

  it('maps SDK timeouts and throttling hints to STORAGE_UNAVAILABLE', () => {
    const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
    expect(toStorageError(timeout, 'op').code).toBe('STORAGE_UNAVAILABLE');
    const throttled = Object.assign(serviceError('Weird', 400), {
      $retryable: { throttling: true },
    });
    expect(toStorageError(throttled, 'op').code).toBe('STORAGE_UNAVAILABLE');
  });

  it('keeps the SDK error as cause and names the operation, status and S3 code', () => {
    const original = serviceError('AccessDenied', 403, 'Access Denied');
    const mapped = toStorageError(original, 'PutObject s3://b/k');
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped.cause).toBe(original);
    expect(mapped.message).toBe(
      'PutObject s3://b/k failed: AccessDenied (HTTP 403): Access Denied',
    );
  });

  it('passes AppErrors through unchanged', () => {
    const source = new AppError('SOURCE_UNAVAILABLE', 'source broke');
    expect(toStorageError(source, 'op')).toBe(source);
  });

  it('maps programming errors to INTERNAL', () => {
    expect(toStorageError(new TypeError('x is not a function'), 'op').code).toBe('INTERNAL');
  });

  it('survives hostile thrown values', () => {
    for (const value of [
      undefined,
      null,
      42,
      'text',
      { name: 7, $metadata: { httpStatusCode: 'x' } },
    ]) {
      const mapped = toStorageError(value, 'op');
      expect(mapped).toBeInstanceOf(AppError);
      expect(mapped.code).toBe('STORAGE_UNAVAILABLE');
    }
  });
});

describe('isNotFound', () => {
  it('recognises 404s and not-found names only', () => {
    expect(isNotFound(serviceError('NotFound', 404))).toBe(true);
    expect(isNotFound(serviceError('NoSuchKey', undefined))).toBe(true);
    expect(isNotFound(serviceError('AccessDenied', 403))).toBe(false);
    expect(isNotFound(systemError('ECONNREFUSED'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });
});

describe('storageCodeFor', () => {
  it('classifies per-key S3 codes', () => {
    expect(storageCodeFor('SlowDown')).toBe('STORAGE_UNAVAILABLE');
    expect(storageCodeFor('InternalError')).toBe('STORAGE_UNAVAILABLE');
    expect(storageCodeFor('AccessDenied')).toBe('STORAGE_REJECTED');
    expect(storageCodeFor(undefined)).toBe('STORAGE_REJECTED');
  });
});

describe('abortedError', () => {
  it('returns an AppError reason as is', () => {
    const reason = new AppError('REPLY_TIMEOUT', 'deadline');
    const controller = new AbortController();
    controller.abort(reason);
    expect(abortedError(controller.signal, 'op')).toBe(reason);
  });

  it('wraps any other reason in a retryable STORAGE_UNAVAILABLE', () => {
    const controller = new AbortController();
    controller.abort();
    const error = abortedError(controller.signal, 'PutObject s3://b/k');
    expect(error.code).toBe('STORAGE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('PutObject s3://b/k aborted');
  });
});
