/**
 * The two ways of signing a published object's URL (issue 10): an S3 presigned request
 * (SigV4 query authentication, at most 7 days), or a CloudFront signed URL with a canned
 * policy when the base URL is a CloudFront distribution with a trusted key group.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl as cloudFrontSignedUrl } from '@aws-sdk/cloudfront-signer';
import { getSignedUrl as s3SignedUrl } from '@aws-sdk/s3-request-presigner';
import type { UrlSigner } from '../distribution/signed-urls.js';

/**
 * Presigns GETs (and HEADs) of the object itself on the S3 endpoint: the signed URL goes to
 * S3, not to the base URL, because only S3 can check an S3 signature. The client's
 * credentials sign; with the SDK's default chain they may be temporary (instance role), and
 * a URL stops working when they expire, whatever its own expiry says.
 */
export function s3UrlSigner(client: S3Client): UrlSigner {
  return {
    sign: ({ bucket, key }, { signedAt, expiresAt, method }) => {
      const input = { Bucket: bucket, Key: key };
      const command =
        method === 'HEAD' ? new HeadObjectCommand(input) : new GetObjectCommand(input);
      return s3SignedUrl(client, command, {
        signingDate: signedAt,
        expiresIn: Math.round((expiresAt.getTime() - signedAt.getTime()) / 1000),
      });
    },
  };
}

/** A CloudFront public key's id and its private key (PEM). */
export interface CloudFrontKey {
  readonly keyPairId: string;
  readonly privateKey: string;
  /** SHA1 (CloudFront's original scheme) or SHA256. */
  readonly algorithm: 'SHA1' | 'SHA256';
}

/** Signs the published URL itself (its base is the CloudFront distribution). */
export function cloudFrontUrlSigner(key: CloudFrontKey): UrlSigner {
  return {
    sign: ({ url }, { expiresAt }) =>
      Promise.resolve(
        cloudFrontSignedUrl({
          url,
          keyPairId: key.keyPairId,
          privateKey: key.privateKey,
          algorithm: key.algorithm,
          dateLessThan: expiresAt,
        }),
      ),
  };
}
