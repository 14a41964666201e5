/**
 * Our own multipart uploader: each body byte is copied once, into one of `queueSize + 1`
 * part buffers that are reused for the whole upload, and a full buffer is sent as an
 * UploadPart body as it is. lib-storage concatenates a fresh buffer for every part (and
 * a part's remainder keeps the previous one alive), so a large upload allocates its whole
 * size in short-lived part-sized buffers that the GC has to chase.
 * Memory: (queueSize + 1) x partSize of part buffers, allocated as needed, plus the
 * source's chunks in its stream buffers.
 */
import type { Readable } from 'node:stream';
import {
  ChecksumAlgorithm,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ABORT_MULTIPART_TIMEOUT_MS } from './abort-multipart.js';

/** Where the object goes and what it carries. */
export interface MultipartTarget {
  readonly bucket: string;
  readonly key: string;
  readonly contentType?: string | undefined;
  readonly metadata?: Readonly<Record<string, string>> | undefined;
  /** If-None-Match: * on the PutObject or CompleteMultipartUpload. */
  readonly ifAbsent: boolean;
}

/** How the body is cut: bytes per part and parts in flight. */
export interface PartLayout {
  readonly partSize: number;
  readonly queueSize: number;
}

/** How the caller stops the uploader and what the uploader tells it while it runs. */
export interface MultipartRun {
  /** Carried by every UploadPart, PutObject and Complete; aborted on the first failure. */
  readonly requests: AbortController;
  /**
   * The caller's signal. CreateMultipartUpload carries only this one: after a failure it
   * may finish (within {@link ABORT_MULTIPART_TIMEOUT_MS}) so that its UploadId is known
   * and the upload can be aborted instead of left open.
   */
  readonly signal: AbortSignal | undefined;
  /** S3 started a multipart upload: it must be completed or aborted. */
  readonly started: (uploadId: string) => void;
  /** The first failure and its side; later ones (consequences of the stop) are not told. */
  readonly failed: (from: 'body' | 's3', error: unknown) => void;
}

/**
 * Reads `source` to its end and stores it: as one PutObject when it turns out to fit in
 * one part, else as a multipart upload with at most `queueSize` parts in flight (reading
 * pauses while no part buffer is free). On the first failure the uploader aborts
 * `run.requests`, destroys `source` when S3 failed, waits until its requests have settled,
 * and throws. A started upload is left to the caller to abort (see
 * {@link MultipartRun.started}).
 */
export async function uploadInParts(
  client: S3Client,
  source: Readable,
  target: MultipartTarget,
  layout: PartLayout,
  run: MultipartRun,
): Promise<{ readonly etag: string | undefined }> {
  const stopCreate = new AbortController();
  const onAbort = (): void => {
    stopCreate.abort(run.signal?.reason);
  };
  if (run.signal?.aborted === true) onAbort();
  run.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await upload(client, source, target, layout, run, stopCreate);
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
  }
}

async function upload(
  client: S3Client,
  source: Readable,
  target: MultipartTarget,
  layout: PartLayout,
  run: MultipartRun,
  stopCreate: AbortController,
): Promise<{ readonly etag: string | undefined }> {
  const { partSize, queueSize } = layout;
  const { bucket, key } = target;
  const { requests } = run;
  const signal = requests.signal;
  const free: Buffer[] = [];
  let allocated = 0;
  const inFlight = new Set<Promise<void>>();
  const parts: CompletedPart[] = [];
  let created: Promise<string> | undefined;
  let sent = 0;
  let failure: { readonly error: unknown } | undefined;

  const fail = (from: 'body' | 's3', error: unknown): void => {
    // After the first failure, or the caller's abort, the rest are its consequences.
    if (failure !== undefined || signal.aborted) return;
    failure = { error };
    run.failed(from, error);
    requests.abort();
    // Wakes a loop waiting for the next chunk of a slow source.
    if (from === 's3') source.destroy();
  };
  const stopped = (): unknown => (failure === undefined ? signal.reason : failure.error);

  const createUpload = async (): Promise<string> => {
    const checksum = await client.config.requestChecksumCalculation();
    const output = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ContentType: target.contentType,
        ...(target.metadata === undefined ? {} : { Metadata: { ...target.metadata } }),
        // As lib-storage: where the SDK adds checksums, the parts carry CRC32s.
        ...(checksum === 'WHEN_SUPPORTED' ? { ChecksumAlgorithm: ChecksumAlgorithm.CRC32 } : {}),
      }),
      { abortSignal: stopCreate.signal },
    );
    if (output.UploadId === undefined) throw new Error('CreateMultipartUpload gave no UploadId');
    run.started(output.UploadId);
    return output.UploadId;
  };

  const sendPart = (buffer: Buffer, length: number): void => {
    sent += 1;
    const partNumber = sent;
    const request = (async () => {
      created ??= createUpload();
      const uploadId = await created;
      const output = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: buffer.subarray(0, length),
          ContentLength: length,
        }),
        { abortSignal: signal },
      );
      if (output.ETag === undefined) {
        throw new Error(`UploadPart ${partNumber} of s3://${bucket}/${key} gave no ETag`);
      }
      parts.push({
        PartNumber: partNumber,
        ETag: output.ETag,
        ChecksumCRC32: output.ChecksumCRC32,
        ChecksumCRC32C: output.ChecksumCRC32C,
        ChecksumCRC64NVME: output.ChecksumCRC64NVME,
        ChecksumSHA1: output.ChecksumSHA1,
        ChecksumSHA256: output.ChecksumSHA256,
      });
    })();
    const settled = request.then(
      () => {
        inFlight.delete(settled);
        free.push(buffer);
      },
      (error: unknown) => {
        inFlight.delete(settled);
        fail('s3', error);
      },
    );
    inFlight.add(settled);
  };

  // Resolves once fewer than `limit` parts are in flight; throws once the upload stopped.
  const room = async (limit: number): Promise<void> => {
    while (inFlight.size >= limit) await Promise.race(inFlight);
    if (failure !== undefined || signal.aborted) throw stopped();
  };

  const take = (): Buffer => {
    const buffer = free.pop();
    if (buffer !== undefined) return buffer;
    // room() left at most queueSize parts in flight, so a pool of queueSize + 1 suffices.
    if (allocated > queueSize) throw new Error('no free part buffer');
    allocated += 1;
    // Outside Node's shared pool: each buffer is reused whole for the upload's life.
    return Buffer.allocUnsafeSlow(partSize);
  };

  let current: Buffer | undefined;
  let filled = 0;
  let whole: Buffer | undefined;
  try {
    for await (const chunk of source as AsyncIterable<Uint8Array>) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        // A full part is sent only once more bytes come: the last one may be a PutObject.
        if (current !== undefined && filled === partSize) {
          await room(queueSize);
          sendPart(current, filled);
          current = undefined;
        }
        if (current === undefined) {
          current = take();
          filled = 0;
        }
        const n = Math.min(partSize - filled, chunk.byteLength - offset);
        current.set(n === chunk.byteLength ? chunk : chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
      }
    }
    if (sent === 0) {
      whole = current?.subarray(0, filled) ?? Buffer.alloc(0);
    } else {
      if (current !== undefined && filled > 0) {
        await room(queueSize);
        sendPart(current, filled);
      }
      await room(1);
    }
  } catch (error) {
    fail('body', error);
    // Settled requests: no part lands after the caller's AbortMultipartUpload, and a
    // CreateMultipartUpload in flight has told its UploadId.
    const pending: Promise<unknown>[] = [...inFlight];
    if (created !== undefined) pending.push(created);
    const grace = setTimeout(() => {
      stopCreate.abort();
    }, ABORT_MULTIPART_TIMEOUT_MS);
    await Promise.allSettled(pending);
    clearTimeout(grace);
    throw error;
  }
  if (whole !== undefined) return putWholeObject(client, target, whole, signal);
  if (created === undefined) throw new Error('parts were sent without a multipart upload');
  const uploadId = await created;
  parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
  const output = await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
      ...(target.ifAbsent ? { IfNoneMatch: '*' } : {}),
    }),
    { abortSignal: signal },
  );
  return { etag: output.ETag };
}

/** A body held whole in memory (less than one part): one PutObject of its bytes. */
export async function putWholeObject(
  client: S3Client,
  target: MultipartTarget,
  data: Buffer,
  signal: AbortSignal | undefined,
): Promise<{ readonly etag: string | undefined }> {
  const output = await client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: target.key,
      Body: data,
      ContentLength: data.length,
      ContentType: target.contentType,
      ...(target.metadata === undefined ? {} : { Metadata: { ...target.metadata } }),
      ...(target.ifAbsent ? { IfNoneMatch: '*' } : {}),
    }),
    { abortSignal: signal },
  );
  return { etag: output.ETag };
}
