/**
 * The S3 client of the baselines, configured as the service configures its own
 * (src/storage/s3-client.ts): path style, checksums only where required, keep-alive sockets.
 * Written out here rather than imported so the baselines load nothing of the service.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { runChild } from './child-protocol.js';

/** Where the baselines write. */
export interface S3Target {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly bucket: string;
}

/** A client for `target` with the service's settings. */
export function baselineClient(target: S3Target): S3Client {
  const agent = { keepAlive: true, maxSockets: 50 };
  return new S3Client({
    region: target.region,
    endpoint: target.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { httpAgent: agent, httpsAgent: agent },
  });
}

/**
 * Runs a baseline child (./child-protocol.ts) around one client for `target`, built before
 * `setup` and destroyed at the cleanup.
 */
export async function s3Child<R>(
  target: S3Target,
  setup: (client: S3Client) => Promise<void>,
  work: (client: S3Client) => Promise<R>,
): Promise<void> {
  const client = baselineClient(target);
  await runChild(
    () => setup(client),
    () => work(client),
    () => {
      client.destroy();
      return Promise.resolve();
    },
  );
}
