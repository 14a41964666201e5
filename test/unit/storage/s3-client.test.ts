import { describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/storage/s3-client.js';

describe('createS3Client', () => {
  it('configures a custom endpoint for S3-compatible servers', async () => {
    const client = createS3Client({
      region: 'eu-central-1',
      endpoint: 'http://localhost:9000',
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      maxAttempts: 2,
    });
    try {
      expect(client.config.forcePathStyle).toBe(true);
      expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
      expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
      expect(await client.config.region()).toBe('eu-central-1');
      expect(await client.config.maxAttempts()).toBe(2);
      const credentials = await client.config.credentials();
      expect(credentials.accessKeyId).toBe('id');
    } finally {
      client.destroy();
    }
  });

  it('lets a custom endpoint use virtual-host style when asked', () => {
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: 'https://s3.example',
      forcePathStyle: false,
    });
    expect(client.config.forcePathStyle).toBe(false);
    client.destroy();
  });

  it('keeps the SDK defaults for AWS itself', async () => {
    const client = createS3Client({ region: 'us-east-1' });
    expect(client.config.forcePathStyle).toBe(false);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
    client.destroy();
  });

  it.each(['', 'not a url', 'ftp://host', 'file:///etc/passwd'])(
    'refuses the endpoint %j',
    (endpoint) => {
      expect(() => createS3Client({ region: 'us-east-1', endpoint })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    },
  );

  it('refuses an empty region', () => {
    expect(() => createS3Client({ region: ' ' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
