/** Adds the store's own objects (SOURCE_S3_BUCKETS) as sources to a source fetcher. */
import type { SourceStream } from '../distribution/ports.js';
import { AppError } from '../errors.js';
import { describeUrl } from './describe-url.js';
import type { S3ObjectRef, S3SourceResolver } from './s3-source.js';
import type { ClusterSourceFetcher } from './source-fetcher.js';

/** Reads an object of the store as a source (GetObject), for what cannot be copied. */
export type S3ObjectOpener = (object: S3ObjectRef, signal?: AbortSignal) => Promise<SourceStream>;

/** A fetcher that also tells which sources are objects of the store. */
export interface S3AwareSourceFetcher extends ClusterSourceFetcher {
  /** The allowed object a source URL names, or undefined when it is not one. */
  s3Object(url: string): S3ObjectRef | undefined;
}

/**
 * Wraps `fetcher`: a URL the resolver claims is an object (allowed) or refused
 * (SOURCE_FORBIDDEN, never passed on: `s3://` and the allowed buckets' URLs are decided
 * here alone); every other URL goes to `fetcher`. Opening an object reads it from S3, for
 * the HLS playlists that are rewritten.
 */
export function withS3Sources(
  fetcher: ClusterSourceFetcher,
  resolver: S3SourceResolver,
  openObject: S3ObjectOpener,
): S3AwareSourceFetcher {
  function object(url: string): S3ObjectRef | 'other' {
    const decision = resolver.resolve(url);
    if (decision === undefined) return 'other';
    if (decision.kind === 'object') return decision.object;
    throw new AppError(
      'SOURCE_FORBIDDEN',
      `Source URL ${describeUrl(url)} is not allowed: ${decision.reason}`,
    );
  }
  return {
    setClusterHosts(hosts) {
      fetcher.setClusterHosts(hosts);
    },
    assertAllowed(url) {
      if (object(url) === 'other') fetcher.assertAllowed(url);
    },
    async open(url, signal) {
      const found = object(url);
      return found === 'other' ? fetcher.open(url, signal) : openObject(found, signal);
    },
    s3Object(url) {
      const found = resolver.resolve(url);
      return found?.kind === 'object' ? found.object : undefined;
    },
  };
}
