/**
 * Signed URLs (issue 10): which published URL may be signed, for how long, and the use case
 * that signs a batch. As in Opencast, the URLs stored in mediapackages stay unsigned; a
 * signed URL is made when one is handed out (`GET /distribution/s3/signed-url`).
 *
 * Only URLs this service publishes are signed, never arbitrary ones: the URL must be exactly
 * what `distributionUrl` makes of the caller's organization's base URL and a key
 * `org/channel/mediapackage/element/file` of that organization. Exactness (no query, no
 * fragment, no other spelling of the same path) matters for CloudFront, which signs the URL
 * string itself: a client that normalises `\..\` or `%2e%2e` would otherwise fetch another path.
 */
import { AppError } from '../errors.js';
import { distributionUrl, elementFolder, keyFromDistributedUrl } from './object-key.js';
import type { Clock } from './ports.js';
import type { DistributionTarget, TargetResolver } from './targets.js';

/** Longest URL accepted: a 1024-byte key percent-encoded (3 KiB) plus a generous base. */
export const MAX_SIGNED_URL_LENGTH = 8192;
/** Most URLs signed by one request. */
export const MAX_URLS_PER_REQUEST = 100;
/** S3's limit for SigV4 presigned URLs, and Opencast's cap on its validity: 7 days. */
export const MAX_SIGNED_URL_VALID_MS = 7 * 24 * 3_600_000;

/** An object to sign a URL for: where it is stored and the URL it was published under. */
export interface SigningSubject {
  readonly bucket: string;
  readonly key: string;
  readonly url: string;
}

/** When a signature starts and stops being valid, in whole seconds; and for which method. */
export interface SigningTerms {
  readonly signedAt: Date;
  readonly expiresAt: Date;
  /** `GET` for callers; `HEAD` for the availability check. */
  readonly method: 'GET' | 'HEAD';
}

/** Signs access to a published object (the S3 or CloudFront adapter). */
export interface UrlSigner {
  sign(subject: SigningSubject, terms: SigningTerms): Promise<string>;
}

/** Terms from now for `validMs`, both ends on whole seconds (S3 and CloudFront count seconds). */
export function signingTerms(now: Date, validMs: number, method: 'GET' | 'HEAD'): SigningTerms {
  const signedAt = Math.floor(now.getTime() / 1000) * 1000;
  const valid = Math.max(1000, Math.floor(validMs / 1000) * 1000);
  return { signedAt: new Date(signedAt), expiresAt: new Date(signedAt + valid), method };
}

/** One signed URL as handed out. */
export interface SignedUrl {
  /** The published URL, as stored in the mediapackage. */
  readonly url: string;
  readonly signedUrl: string;
  readonly expiresAt: string;
}

function refuse(url: string, why: string): never {
  const shown = url.length > 120 ? `${url.slice(0, 117)}...` : url;
  throw new AppError('INVALID_INPUT', `Cannot sign ${JSON.stringify(shown)}: ${why}`);
}

/**
 * The bucket and key behind `url` when it is a URL this service published for
 * `organization` under `target`; INVALID_INPUT naming the reason otherwise.
 */
export function signingSubject(
  target: DistributionTarget,
  organization: string,
  url: string,
): SigningSubject {
  if (url.length > MAX_SIGNED_URL_LENGTH) {
    refuse(url, `longer than ${MAX_SIGNED_URL_LENGTH} characters`);
  }
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    refuse(url, 'not an http(s) URL');
  }
  const key = keyFromDistributedUrl(target.baseUrl, url);
  if (key === undefined) {
    refuse(url, `not a published file under this organization's base URL ${target.baseUrl}`);
  }
  const segments = key.split('/');
  const [org, channelId, mediaPackageId, elementId] = segments;
  if (segments.length !== 5 || org !== organization) {
    refuse(
      url,
      `not a file of organization ${organization} (org/channel/mediapackage/element/file)`,
    );
  }
  try {
    elementFolder({
      organization: org,
      channelId: channelId ?? '',
      mediaPackageId: mediaPackageId ?? '',
      elementId: elementId ?? '',
    });
  } catch (error) {
    refuse(url, error instanceof Error ? error.message : 'unsafe path segment');
  }
  if (distributionUrl(target.baseUrl, key) !== url) {
    refuse(url, 'not spelled as this service publishes it (query, fragment or other escaping)');
  }
  return { bucket: target.bucket, key, url };
}

/**
 * How long a signed URL lives: the caller's `validSeconds` (a whole number from 1 up to the
 * configured validity) or, when absent, the configured validity. In milliseconds.
 */
export function signedUrlValidity(validSeconds: string | undefined, maxValidMs: number): number {
  if (validSeconds === undefined) return maxValidMs;
  const max = Math.floor(maxValidMs / 1000);
  if (!/^\d{1,10}$/.test(validSeconds) || Number(validSeconds) < 1 || Number(validSeconds) > max) {
    throw new AppError(
      'INVALID_INPUT',
      `validSeconds must be a whole number of seconds from 1 to ${max}, not ${JSON.stringify(validSeconds.slice(0, 40))}`,
    );
  }
  return Number(validSeconds) * 1000;
}

/** What {@link signPublishedUrls} needs. */
export interface SigningDeps {
  readonly targets: TargetResolver;
  readonly signer: UrlSigner;
  readonly clock: Clock;
  /** SIGNED_URL_VALID_MS: the default and the longest validity. */
  readonly maxValidMs: number;
}

/** A request for signed URLs of one organization. */
export interface SigningRequest {
  readonly organization: string;
  readonly urls: readonly string[];
  /** As the caller sent it; undefined: the configured validity. */
  readonly validSeconds?: string | undefined;
}

/**
 * Signs every URL, or none: each is checked before the first is signed, so one foreign URL
 * in a batch gets the whole request refused (INVALID_INPUT) with nothing handed out.
 */
export async function signPublishedUrls(
  deps: SigningDeps,
  request: SigningRequest,
): Promise<SignedUrl[]> {
  const { urls, organization } = request;
  if (urls.length === 0 || urls.length > MAX_URLS_PER_REQUEST) {
    throw new AppError(
      'INVALID_INPUT',
      `Name 1 to ${MAX_URLS_PER_REQUEST} URLs to sign, not ${urls.length}`,
    );
  }
  const validMs = signedUrlValidity(request.validSeconds, deps.maxValidMs);
  const target = deps.targets(organization);
  const subjects = urls.map((url) => signingSubject(target, organization, url));
  const terms = signingTerms(deps.clock(), validMs, 'GET');
  return Promise.all(
    subjects.map(async (subject) => ({
      url: subject.url,
      signedUrl: await deps.signer.sign(subject, terms),
      expiresAt: terms.expiresAt.toISOString(),
    })),
  );
}
