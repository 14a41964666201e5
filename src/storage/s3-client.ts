/**
 * Builds the one S3 client the process shares, with the settings S3-compatible servers need.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { AppError } from '../errors.js';

/** How to reach the object store. */
export interface S3Settings {
  readonly region: string;
  /** A custom endpoint (MinIO, Ceph, s3rver, ...); unset means AWS itself. */
  readonly endpoint?: string | undefined;
  /** Path-style URLs (`host/bucket/key`); defaults to true with a custom endpoint. */
  readonly forcePathStyle?: boolean | undefined;
  /** Static credentials; unset means the SDK's default chain (env, profile, IMDS, ...). */
  readonly credentials?:
    { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Attempts per request including the first (SDK default: 3). */
  readonly maxAttempts?: number | undefined;
  /**
   * Longest time a request may go without sending or receiving a byte. An inactivity limit
   * rather than a total one, so that large parts on slow links are not cut off.
   */
  readonly requestTimeoutMs?: number | undefined;
  /** Longest time to establish a TCP (and TLS) connection. */
  readonly connectionTimeoutMs?: number | undefined;
  /** Most sockets per host (SDK default: 50). */
  readonly maxSockets?: number | undefined;
}

/**
 * Creates an S3 client. With a custom endpoint, checksums are only sent and checked where
 * S3 requires them: the SDK's default (`WHEN_SUPPORTED`) sends streaming bodies with
 * aws-chunked framing, which s3rver stores as the object's content.
 */
export function createS3Client(settings: S3Settings): S3Client {
  if (settings.region.trim() === '') {
    throw new AppError('INVALID_INPUT', 'The S3 region must not be empty');
  }
  const custom = settings.endpoint !== undefined;
  if (custom) assertEndpoint(settings.endpoint);
  const agent = { keepAlive: true, maxSockets: settings.maxSockets ?? 50 };
  const config: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle ?? custom,
    requestHandler: {
      connectionTimeout: settings.connectionTimeoutMs,
      socketTimeout: settings.requestTimeoutMs,
      httpAgent: agent,
      httpsAgent: agent,
    },
  };
  if (custom) {
    config.endpoint = settings.endpoint;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (settings.credentials !== undefined) {
    const { accessKeyId, secretAccessKey } = settings.credentials;
    config.credentials = { accessKeyId, secretAccessKey };
  }
  if (settings.maxAttempts !== undefined) config.maxAttempts = settings.maxAttempts;
  return new S3Client(config);
}

function assertEndpoint(endpoint: string | undefined): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint ?? '');
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new AppError(
      'INVALID_INPUT',
      `The S3 endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`,
    );
  }
}
