/**
 * Best-effort clean-up of a multipart upload that will never complete.
 */
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Sends AbortMultipartUpload and ignores its failure: the upload was never completed, so no
 * object exists either way; only its parts stay billed. s3rver answers 405 here, and on
 * AWS a lifecycle rule (`AbortIncompleteMultipartUpload`) removes what a crash leaves.
 * Runs without the caller's signal, which has usually aborted by now.
 */
export async function abortMultipartQuietly(
  client: S3Client,
  bucket: string,
  key: string,
  uploadId: string,
): Promise<void> {
  try {
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }),
    );
  } catch {
    // Ignored on purpose, see above.
  }
}
