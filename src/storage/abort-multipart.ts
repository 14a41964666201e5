/**
 * Clean-up of multipart uploads that will never complete: the abort request itself, and the
 * register of uploads still open, so that shutdown can abort what its handlers left.
 */
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';

/** How long one AbortMultipartUpload may take, retries included. */
export const ABORT_MULTIPART_TIMEOUT_MS = 10_000;

/** One started multipart upload. */
export interface MultipartUploadRef {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
}

/**
 * Sends AbortMultipartUpload and resolves with its failure instead of throwing: the upload
 * was never completed, so no object exists either way; only its parts stay stored (and
 * billed). s3rver answers 405 here; on AWS and MinIO the bucket's lifecycle rule
 * (`AbortIncompleteMultipartUpload`) removes what a crash leaves. Runs under a timeout of
 * its own rather than the caller's signal, which has usually aborted by now.
 */
export async function abortMultipartQuietly(
  client: S3Client,
  upload: MultipartUploadRef,
  timeoutMs = ABORT_MULTIPART_TIMEOUT_MS,
): Promise<unknown> {
  try {
    await client.send(
      new AbortMultipartUploadCommand({
        Bucket: upload.bucket,
        Key: upload.key,
        UploadId: upload.uploadId,
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    return undefined;
  } catch (error) {
    return error;
  }
}

/** The multipart uploads of one store that were started and are not yet completed or aborted. */
export class OpenMultipartUploads {
  readonly #open = new Map<string, MultipartUploadRef>();

  /** Registers an upload S3 has started. */
  add(upload: MultipartUploadRef): void {
    this.#open.set(upload.uploadId, upload);
  }

  /** Forgets an upload that completed or was aborted. */
  delete(uploadId: string): void {
    this.#open.delete(uploadId);
  }

  /** Uploads open now. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Aborts every upload still open (at shutdown, after the worker stopped), in parallel and
   * each within `timeoutMs`. Resolves with how many aborts S3 accepted.
   */
  async abortAll(client: S3Client, timeoutMs = ABORT_MULTIPART_TIMEOUT_MS): Promise<number> {
    const open = [...this.#open.values()];
    this.#open.clear();
    const failures = await Promise.all(
      open.map((u) => abortMultipartQuietly(client, u, timeoutMs)),
    );
    return failures.filter((failure) => failure === undefined).length;
  }
}
