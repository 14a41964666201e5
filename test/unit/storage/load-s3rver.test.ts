import { describe, expect, it } from 'vitest';
import { loadS3rver } from '../../../src/storage/load-s3rver.js';

describe('loadS3rver', () => {
  it('loads s3rver where it is installed (a clone with devDependencies)', async () => {
    expect(typeof (await loadS3rver())).toBe('function');
  });

  it('says to set S3_ENDPOINT where the package is missing (the production image)', async () => {
    // A real import of a package that is not installed, as in the image.
    const missing = `s3rver-not-installed-${String(Date.now())}`;
    const failure = loadS3rver(() => import(missing) as Promise<never>);
    await expect(failure).rejects.toMatchObject({
      code: 'STORAGE_REJECTED',
      retryable: false,
      message: expect.stringMatching(
        /set S3_ENDPOINT\b.*; the embedded store is for trying out and is not in the production image$/,
      ) as string,
    });
  });

  it('passes on any other failure unchanged', async () => {
    const broken = new Error('s3rver threw while loading');
    await expect(loadS3rver(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});
