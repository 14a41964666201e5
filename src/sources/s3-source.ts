/**
 * Sources that are objects in the S3 store itself (SOURCE_S3_BUCKETS): `s3://bucket/key`,
 * or an http(s) URL under a bucket's configured URL or under the S3 endpoint (path style).
 * Such a source is copied inside S3 (no byte passes through the worker), with the
 * service's own S3 credentials, so every bucket must be allowed explicitly, optionally
 * only under a key prefix. Pure: no I/O.
 */
import { AppError } from '../errors.js';
import { MAX_SOURCE_URL_LENGTH } from './allow-list.js';
import { isHttpUrl, parseUrlPrefix, pathAfterPrefix, type UrlPrefix } from './url-prefix.js';

/** One allowed bucket (an entry of SOURCE_S3_BUCKETS: `bucket[/keyPrefix][=urlPrefix]`). */
export interface S3SourceRule {
  readonly bucket: string;
  /** Keys must start with this; `''` for the whole bucket, else it ends with `/`. */
  readonly keyPrefix: string;
  /** An http(s) URL prefix that serves the bucket's objects (key = the path after it). */
  readonly urlPrefix?: string | undefined;
}

/** An object in the store. */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
}

/** How a source URL relates to the store: an object to copy, or refused (with why). */
export type S3SourceDecision =
  | { readonly kind: 'object'; readonly object: S3ObjectRef }
  | { readonly kind: 'refused'; readonly reason: string };

const MAX_KEY_BYTES = 1024;
// S3's bucket naming rules (lower case, 3-63 characters, no '..', not an IP address).
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f]/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const S3_SCHEME = /^s3:\/\//i;

/** Whether `bucket` is a valid S3 bucket name. */
export function isBucketName(bucket: string): boolean {
  return BUCKET.test(bucket) && !bucket.includes('..') && !IP_ADDRESS.test(bucket);
}

/**
 * Parses one SOURCE_S3_BUCKETS entry.
 * @throws AppError INVALID_INPUT naming what is wrong.
 */
export function parseS3SourceRule(entry: string): S3SourceRule {
  const at = entry.indexOf('=');
  const location = (at === -1 ? entry : entry.slice(0, at)).trim();
  const urlPrefix = at === -1 ? undefined : entry.slice(at + 1).trim();
  const slash = location.indexOf('/');
  const bucket = slash === -1 ? location : location.slice(0, slash);
  const prefix = slash === -1 ? '' : location.slice(slash + 1).replace(/\/*$/, '');
  if (!isBucketName(bucket)) {
    throw new AppError('INVALID_INPUT', `'${bucket}' is not a valid bucket name`);
  }
  if (prefix !== '' && keyProblem(prefix) !== undefined) {
    throw new AppError('INVALID_INPUT', `the key prefix of '${location}' ${keyProblem(prefix)}`);
  }
  if (urlPrefix !== undefined && parseUrlPrefix(urlPrefix) === undefined) {
    throw new AppError(
      'INVALID_INPUT',
      `'${urlPrefix}' is not an http(s) URL prefix without user info, query or fragment`,
    );
  }
  return { bucket, keyPrefix: prefix === '' ? '' : `${prefix}/`, urlPrefix };
}

/** Why a decoded key may not be read, or undefined when it may. */
function keyProblem(key: string): string | undefined {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES)
    return `is longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL.test(key)) return 'contains a control character';
  if (key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return 'has an empty or dot segment';
  }
  return undefined;
}

/** Decodes a URL path (percent-escapes, once per segment); undefined when malformed. */
function decodeKey(path: string): string | undefined {
  try {
    const segments = path.split('/').map((segment) => decodeURIComponent(segment));
    // An encoded '/' would make one segment two.
    return segments.some((segment) => segment.includes('/')) ? undefined : segments.join('/');
  } catch {
    return undefined;
  }
}

interface CompiledRule extends S3SourceRule {
  /** Prefixes whose URLs name this bucket's objects: its URL and the endpoint's path style. */
  readonly urls: readonly UrlPrefix[];
}

/** Resolves source URLs against the allowed buckets. */
export interface S3SourceResolver {
  /** The object a URL names, refused, or undefined: not an object of the store. */
  resolve(url: string): S3SourceDecision | undefined;
  /** The rules, for the start-up log. */
  readonly rules: readonly S3SourceRule[];
}

/**
 * Creates the resolver. `endpoint`: the S3 endpoint (S3_ENDPOINT), whose path-style URLs
 * `endpoint/bucket/key` name objects of the allowed buckets too.
 */
export function createS3SourceResolver(
  rules: readonly S3SourceRule[],
  endpoint: string | undefined,
): S3SourceResolver {
  const compiled: CompiledRule[] = rules.map((rule) => {
    const urls = [
      rule.urlPrefix,
      endpoint === undefined ? undefined : `${endpoint.replace(/\/+$/, '')}/${rule.bucket}`,
    ]
      .map((value) => (value === undefined ? undefined : parseUrlPrefix(value)))
      .filter((prefix): prefix is UrlPrefix => prefix !== undefined);
    return { ...rule, urls };
  });

  function allowedObject(bucket: string, rawKey: string): S3SourceDecision {
    const key = decodeKey(rawKey);
    if (key === undefined) return refused('the key has a malformed escape or an encoded "/"');
    const problem = keyProblem(key);
    if (problem !== undefined) return refused(`the key ${problem}`);
    const rule = compiled.find((r) => r.bucket === bucket && key.startsWith(r.keyPrefix));
    if (rule === undefined) {
      return refused(
        compiled.some((r) => r.bucket === bucket)
          ? 'the key is outside the allowed prefixes of its bucket'
          : `bucket '${bucket}' is not allowed (SOURCE_S3_BUCKETS)`,
      );
    }
    return { kind: 'object', object: { bucket, key } };
  }

  function resolveS3Url(raw: string): S3SourceDecision {
    if (raw.includes('?') || raw.includes('#'))
      return refused('an s3 URL has no query or fragment');
    const rest = raw.slice('s3://'.length);
    const slash = rest.indexOf('/');
    if (slash === -1 || slash === rest.length - 1) return refused('the s3 URL names no key');
    const bucket = rest.slice(0, slash);
    if (!isBucketName(bucket)) return refused(`'${bucket.slice(0, 80)}' is not a bucket name`);
    return allowedObject(bucket, rest.slice(slash + 1));
  }

  return {
    rules,
    resolve(raw) {
      const s3 = S3_SCHEME.test(raw);
      if (!s3 && compiled.every((rule) => rule.urls.length === 0)) return undefined;
      if (raw.length > MAX_SOURCE_URL_LENGTH)
        return s3 ? refused('the URL is too long') : undefined;
      if (SPACE_OR_CONTROL.test(raw)) {
        return s3 ? refused('the URL contains spaces or control characters') : undefined;
      }
      if (s3) return resolveS3Url(raw);
      if (!URL.canParse(raw)) return undefined;
      const url = new URL(raw);
      if (!isHttpUrl(url)) return undefined;
      for (const rule of compiled) {
        for (const prefix of rule.urls) {
          const path = pathAfterPrefix(url, prefix);
          if (path === undefined) continue;
          if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
            return refused('a URL of an S3 object must not carry user info, a query or a fragment');
          }
          return allowedObject(rule.bucket, path.slice(1));
        }
      }
      return undefined;
    },
  };
}

function refused(reason: string): S3SourceDecision {
  return { kind: 'refused', reason };
}
