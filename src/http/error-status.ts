import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../errors.js';

/**
 * The one table from error code to HTTP status. Opencast counts only 200 as success, retries
 * on 503 for up to 24 hours and gives up on anything else (docs/opencast-wire-spec.md §4.2): 503 is kept for
 * conditions that pass by themselves.
 */
export const httpStatusOf: Record<ErrorCode, ContentfulStatusCode> = {
  XML_MALFORMED: 400,
  XML_FORBIDDEN: 400,
  XML_TOO_LARGE: 413,
  XML_TOO_DEEP: 400,
  XML_INVALID: 400,
  INVALID_INPUT: 400,
  ELEMENT_NOT_FOUND: 400,
  INVALID_KEY: 400,
  SOURCE_FORBIDDEN: 400,
  SOURCE_NOT_FOUND: 400,
  SOURCE_UNAVAILABLE: 502,
  STORAGE_UNAVAILABLE: 502,
  STORAGE_REJECTED: 500,
  NO_BUCKET: 500,
  BROKER_UNAVAILABLE: 503,
  REPLY_TIMEOUT: 504,
  BROKER_UNCONFIRMED: 504,
  DELIVERY_LIMIT: 502,
  FORBIDDEN: 403,
  JOB_NOT_RUNNABLE: 412,
  OVERLOADED: 503,
  SHUTTING_DOWN: 503,
  JOB_NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  PAYLOAD_TOO_LARGE: 413,
  REGISTRY_UNAVAILABLE: 503,
  REGISTRY_REJECTED: 500,
  REGISTRY_CONFLICT: 500,
  JOB_STORE_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  SIGNING_DISABLED: 404,
  INTERNAL: 500,
};
