import { S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { isBatchDeleteRefused } from '../../../src/storage/s3-delete-prefix.js';

function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    message: name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });
}

describe('isBatchDeleteRefused', () => {
  it.each([
    ['NotImplemented', 501],
    ['MethodNotAllowed', 405],
    ['MissingContentMD5', 400],
  ])('treats %s as "use single deletes"', (name, status) => {
    expect(isBatchDeleteRefused(serviceError(name, status))).toBe(true);
  });

  it.each([
    ['AccessDenied', 403],
    ['SlowDown', 503],
    ['NoSuchBucket', 404],
  ])('treats %s as a real failure', (name, status) => {
    expect(isBatchDeleteRefused(serviceError(name, status))).toBe(false);
  });
});
