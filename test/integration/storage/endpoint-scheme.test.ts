/**
 * Opencast's cfg gives the S3 endpoint without a scheme; https is assumed, as Opencast's SDK
 * does. Against a server speaking plain HTTP (MinIO by default, here s3rver) the start used
 * to fail with "Bucket ... exists, but we can't access it"; now it names the key and what to
 * write there.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Closers } from '../../../src/compose/closers.js';
import { buildStorage } from '../../../src/compose/storage.js';
import { loadConfig } from '../../../src/config.js';
import { startTestS3, type TestS3 } from '../../helpers/s3.js';

let s3: TestS3;
let bucket: string;

beforeAll(async () => {
  s3 = await startTestS3();
  // Created (and deleted on close) by the helper, so nothing is left on a shared server.
  bucket = await s3.createBucket();
});

afterAll(async () => {
  await s3.close();
});

const P = 'org.opencastproject.distribution.aws.s3';

function configWith(endpoint: string) {
  const cfg = [
    `${P}.distribution.enable=true`,
    `${P}.region=${s3.region}`,
    `${P}.bucket=${bucket}`,
    `${P}.endpoint=${endpoint}`,
    `${P}.path.style=true`,
    `${P}.distribution.base=${endpoint}/bucket`,
    `${P}.access.id=${s3.credentials.accessKeyId}`,
    `${P}.secret.key=${s3.credentials.secretAccessKey}`,
  ].join('\n');
  return loadConfig(
    { OPENCAST_CFG_FILE: '/etc/opencast/s3.cfg', ROLE: 'worker', S3_MAX_ATTEMPTS: '1' },
    () => cfg,
  );
}

describe('an S3 endpoint written without a scheme', () => {
  it('fails the start naming the key and the http:// to write when the server has no TLS', async () => {
    const hostPort = s3.endpoint.replace(/^http:\/\//, '');
    const logger = pino({ level: 'silent' });
    const closers = new Closers(logger);
    try {
      const started = buildStorage(configWith(hostPort), logger, closers);
      await expect(started).rejects.toThrow(
        `${P}.endpoint in /etc/opencast/s3.cfg is "${hostPort}", without a scheme, so https://${hostPort} was used`,
      );
      await expect(started).rejects.toThrow(`write http://${hostPort} there`);
      await expect(started).rejects.toThrow(/^Cannot reach the S3 server/);
    } finally {
      await closers.close();
    }
  });

  it('starts when the key says http://', async () => {
    const logger = pino({ level: 'silent' });
    const closers = new Closers(logger);
    try {
      const storage = await buildStorage(configWith(s3.endpoint), logger, closers);
      await storage.checkBuckets();
    } finally {
      await closers.close();
    }
  });
});
