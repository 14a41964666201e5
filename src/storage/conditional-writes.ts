/**
 * Whether the store honours `If-None-Match: *` on writes. AWS S3 and MinIO refuse a
 * conditional write to an existing key with 412; s3rver and older S3-compatible servers
 * write anyway. Where it is honoured, a create needs no HEAD beforehand to know the key was
 * empty: the refusal says so, and saves a round trip per object.
 */
import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isPreconditionFailed } from './s3-conditional.js';

/** `on`: trust the store; `off`: never trust it; `auto`: probe each bucket once. */
export type ConditionalWriteMode = 'auto' | 'on' | 'off';

/** Where the probe writes (and deletes again): outside every key the service publishes. */
export const PROBE_PREFIX = '.ocs3-probe/';

/** How long one probe may take before it counts as "not honoured" for now. */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Answers per bucket whether conditional writes are honoured. In `auto` mode the first
 * question about a bucket writes an empty probe object twice with `If-None-Match: *`
 * (honoured: the second is refused with 412) and deletes it. A probe that fails (no
 * permission, store down) answers "not honoured" and is tried again on the next question.
 */
export class ConditionalWrites {
  readonly #client: S3Client;
  readonly #mode: ConditionalWriteMode;
  readonly #known = new Map<string, Promise<boolean>>();

  constructor(client: S3Client, mode: ConditionalWriteMode) {
    this.#client = client;
    this.#mode = mode;
  }

  /** Whether `bucket`'s store refuses `If-None-Match: *` writes to existing keys. */
  honoured(bucket: string): Promise<boolean> {
    if (this.#mode !== 'auto') return Promise.resolve(this.#mode === 'on');
    let known = this.#known.get(bucket);
    if (known === undefined) {
      known = this.#probe(bucket).catch(() => {
        this.#known.delete(bucket);
        return false;
      });
      this.#known.set(bucket, known);
    }
    return known;
  }

  async #probe(bucket: string): Promise<boolean> {
    const abortSignal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
    const key = `${PROBE_PREFIX}${randomUUID()}`;
    const put = () =>
      this.#client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: new Uint8Array(0),
          ContentLength: 0,
          IfNoneMatch: '*',
        }),
        { abortSignal },
      );
    await put();
    try {
      await put();
      return false;
    } catch (error) {
      if (isPreconditionFailed(error)) return true;
      throw error;
    } finally {
      await this.#client
        .send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), { abortSignal })
        .catch(() => undefined);
    }
  }
}
