/**
 * The part of s3rver (CommonJS, untyped) that embedded-s3.ts uses.
 */
declare module 's3rver' {
  import type { RequestListener } from 'node:http';

  namespace S3rver {
    /** Constructor options; see s3rver's README. */
    interface Options {
      /** Suppress all logging. */
      silent?: boolean;
      /** Where buckets and objects are kept. */
      directory: string;
      /** Buckets to create by {@link S3rver.configureBuckets}. */
      configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
    }
  }

  /** s3rver's Koa application. */
  class S3rver {
    constructor(options: S3rver.Options);
    /** Creates the buckets named in the options (keeps existing ones). */
    configureBuckets(): Promise<unknown>;
    /** The HTTP request handler (Koa's `callback()`). */
    callback(): RequestListener;
  }

  export = S3rver;
}
