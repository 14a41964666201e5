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
    }
  }

  /** s3rver's Koa application. */
  class S3rver {
    constructor(options: S3rver.Options);
    /** The HTTP request handler (Koa's `callback()`). */
    callback(): RequestListener;
    /** Its filesystem store. */
    readonly store: { existsObject(bucket: string, key: string): Promise<boolean> };
  }

  export = S3rver;
}
