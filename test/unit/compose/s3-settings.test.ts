import pino from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Closers } from '../../../src/compose/closers.js';
import { fixedBaseUrlWarning, s3Settings } from '../../../src/compose/s3-settings.js';
import { loadConfig } from '../../../src/config.js';

const orgs = new Map([
  ['org1', 'bucket1'],
  ['org2', 'default'],
]);

describe('fixedBaseUrlWarning', () => {
  it('warns when organizations have their own buckets and the base URL names none', () => {
    const warning = fixedBaseUrlWarning('https://cdn.example.org/', 'default', orgs);
    expect(warning).toMatch(/org1 -> bucket1/);
    expect(warning).not.toMatch(/org2/);
    expect(warning).toMatch(/DISTRIBUTION_BASE_URL \(https:\/\/cdn\.example\.org\/\)/);
    expect(warning).toMatch(/404.*\{bucket\}/);
  });

  it.each([
    ['a {bucket} placeholder', 'http://minio:9000/{bucket}/', orgs],
    ['no organization buckets', 'https://cdn.example.org/', new Map<string, string>()],
    ['organizations on the default bucket', 'https://cdn/', new Map([['org2', 'default']])],
    ['no base URL', undefined, orgs],
  ])('is silent with %s', (_name, baseUrl, buckets) => {
    expect(fixedBaseUrlWarning(baseUrl, 'default', buckets)).toBeUndefined();
  });
});

describe('s3Settings at start', () => {
  it('logs the warning once', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const config = loadConfig({
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'default',
      S3_ORG_BUCKETS: 'org1=bucket1',
      DISTRIBUTION_BASE_URL: 'http://minio:9000/default/',
    });
    const logger = pino(sink);
    const closers = new Closers(logger);
    const settings = await s3Settings(config, logger, closers);
    await closers.close();
    expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([
      expect.stringMatching(/S3_ORG_BUCKETS.*\{bucket\}/),
    ]);
    // The URLs themselves are as configured: a warning, not a change.
    expect(settings.orgTargets.get('org1')?.baseUrl).toBe('http://minio:9000/default/');
  });
});
