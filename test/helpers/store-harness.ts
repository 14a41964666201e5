import { afterAll, beforeAll } from 'vitest';
import { S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { startTestS3, type TestS3 } from './s3.js';

/** What a storage integration test works with. */
export interface StoreFixture {
  readonly s3: TestS3;
  readonly bucket: string;
  /** A store with the smallest part size, so multipart starts at 5 MiB. */
  readonly store: S3ObjectStore;
}

const MiB = 1024 * 1024;

/**
 * Registers the hooks of a storage test file: a test S3 server and a fresh bucket before
 * the tests, everything removed after. `ready` receives the fixture once it exists.
 */
export function useTestStore(ready: (fixture: StoreFixture) => void): void {
  let s3: TestS3 | undefined;
  beforeAll(async () => {
    s3 = await startTestS3();
    const bucket = await s3.createBucket();
    ready({
      s3,
      bucket,
      store: new S3ObjectStore(s3.client, { partSizeBytes: 5 * MiB, queueSize: 2 }),
    });
  });
  afterAll(async () => {
    await s3?.close();
  });
}

/** A key under a random mediapackage folder, so tests never see each other's objects. */
export function uniqueKey(name: string): string {
  return `org/channel/${Math.random().toString(36).slice(2)}/${name}`;
}
