/**
 * Baseline for large files: the bare lib-storage `Upload`, streaming the HTTP source's body
 * into S3 with the service's part size and queue size, and nothing else.
 */
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Child, type S3Target } from './baseline-s3.js';
import { childParams } from './child-protocol.js';

interface Params extends S3Target {
  readonly sourceUrl: string;
  readonly key: string;
  readonly partSizeBytes: number;
  readonly queueSize: number;
}

const params = childParams() as Params;

await s3Child(
  params,
  () => Promise.resolve(),
  async (client) => {
    const res = await fetch(params.sourceUrl);
    if (!res.ok || res.body === null) throw new Error(`source answered ${res.status}`);
    const length = Number(res.headers.get('content-length'));
    const upload = new Upload({
      client,
      params: {
        Bucket: params.bucket,
        Key: params.key,
        // The DOM and Node typings of a web stream differ; the object is the same.
        Body: Readable.fromWeb(res.body as ReadableStream<Uint8Array>),
        ContentLength: length,
        ContentType: res.headers.get('content-type') ?? 'application/octet-stream',
      },
      partSize: params.partSizeBytes,
      queueSize: params.queueSize,
    });
    await upload.done();
    return { bytes: length };
  },
);
