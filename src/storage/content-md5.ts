/**
 * Sends `Content-MD5` instead of the SDK's CRC32 on DeleteObjects. S3 requires one of the
 * two; the SDK (since 3.729.0) sends only CRC32, which several S3-compatible servers
 * (older MinIO, Ceph, OCI, ...) refuse with `MissingContentMD5`. This follows the SDK's
 * own MD5 fallback guide (supplemental-docs/MD5_FALLBACK.md).
 */
import { createHash } from 'node:crypto';
import type { DeleteObjectsCommand } from '@aws-sdk/client-s3';

interface RequestShape {
  headers?: Record<string, string>;
  body?: unknown;
}

function isRequestShape(value: unknown): value is RequestShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    'headers' in value &&
    typeof value.headers === 'object' &&
    value.headers !== null
  );
}

/** Adds the Content-MD5 step to one DeleteObjects command and returns it. */
export function withContentMd5(command: DeleteObjectsCommand): DeleteObjectsCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const { request } = args;
      if (isRequestShape(request) && request.headers !== undefined) {
        const body = request.body;
        if (typeof body === 'string' || body instanceof Uint8Array) {
          const headers = request.headers;
          for (const name of Object.keys(headers)) {
            const lower = name.toLowerCase();
            if (lower.startsWith('x-amz-checksum-') || lower.startsWith('x-amz-sdk-checksum-')) {
              // Deleting a header of a request the SDK built for this one call.
              // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
              delete headers[name];
            }
          }
          headers['content-md5'] = createHash('md5').update(body).digest('base64');
        }
      }
      return next(args);
    },
    // Low priority in the build step: after the SDK's flexible-checksums step added its
    // header, before signing (finalize step) covers the headers.
    { step: 'build', priority: 'low', name: 'deleteObjectsContentMd5' },
  );
  return command;
}
