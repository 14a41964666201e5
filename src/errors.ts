/**
 * The error catalogue. Every failure the service reports carries a stable string `code`
 * (events and replies carry the code, because `instanceof` does not cross a process
 * boundary) and says whether trying again can help.
 */
export const errorCodes = {
  /** XML that is not well-formed. */
  XML_MALFORMED: { retryable: false },
  /** XML that uses a forbidden construct: DOCTYPE, entities, XInclude, processing instructions. */
  XML_FORBIDDEN: { retryable: false },
  /** XML over the configured size limit. */
  XML_TOO_LARGE: { retryable: false },
  /** XML nested deeper than the configured limit. */
  XML_TOO_DEEP: { retryable: false },
  /** Well-formed XML that is not an Opencast mediapackage, element or job. */
  XML_INVALID: { retryable: false },
  /** A request field or command property is missing or malformed. */
  INVALID_INPUT: { retryable: false },
  /** A requested element id is not in the mediapackage. */
  ELEMENT_NOT_FOUND: { retryable: false },
  /** An element URL or id cannot be turned into a safe object key. */
  INVALID_KEY: { retryable: false },
  /** A source URL is outside the configured allow-list. */
  SOURCE_FORBIDDEN: { retryable: false },
  /** A source answered 404/410 or a file does not exist. */
  SOURCE_NOT_FOUND: { retryable: false },
  /** A source could not be read for a reason that may pass (network, 5xx, timeout). */
  SOURCE_UNAVAILABLE: { retryable: true },
  /** The object store refused or failed an operation that may succeed later. */
  STORAGE_UNAVAILABLE: { retryable: true },
  /** The object store refused an operation for good (access denied, no such bucket). */
  STORAGE_REJECTED: { retryable: false },
  /** No bucket is configured for the organization. */
  NO_BUCKET: { retryable: false },
  /** The message broker is not reachable or did not confirm a publish. */
  BROKER_UNAVAILABLE: { retryable: true },
  /**
   * A publish was written but its confirm did not come: the command may run. Never answered
   * with "retry" (503): the caller gets the outcome, or an answer that says the job goes on.
   */
  BROKER_UNCONFIRMED: { retryable: false },
  /** A command outlived the work queue's delivery limit (its workers kept dying) and was parked. */
  DELIVERY_LIMIT: { retryable: false },
  /** The caller may not act for that organization or user (Opencast's role rules). */
  FORBIDDEN: { retryable: false },
  /** A dispatched Opencast job can never run here (wrong arguments): Opencast fails it. */
  JOB_NOT_RUNNABLE: { retryable: false },
  /** A sync request did not get its reply in time; the job goes on. */
  REPLY_TIMEOUT: { retryable: true },
  /** Too many requests are waiting; try again later. */
  OVERLOADED: { retryable: true },
  /** The process is stopping; another one will take the request. */
  SHUTTING_DOWN: { retryable: true },
  /** No job with this id is known. */
  JOB_NOT_FOUND: { retryable: false },
  /** Authentication failed or is missing. */
  UNAUTHORIZED: { retryable: false },
  /** A request is larger than allowed. */
  PAYLOAD_TOO_LARGE: { retryable: false },
  /** Opencast's service registry could not be reached or failed (network, timeout, 5xx). */
  REGISTRY_UNAVAILABLE: { retryable: true },
  /** Opencast's service registry refused a call for good (4xx, wrong credentials, redirect). */
  REGISTRY_REJECTED: { retryable: false },
  /** A job update kept failing after re-reading the job (a version conflict that did not pass). */
  REGISTRY_CONFLICT: { retryable: false },
  /** The job store (Redis) cannot be reached or did not answer in time. */
  JOB_STORE_UNAVAILABLE: { retryable: true },
  /**
   * A command ran out of its total time (COMMAND_DEADLINE_MS, every retry included) and was
   * stopped. Not retryable: the run already spent the whole budget retrying, and an
   * automatic retry (Opencast retries 503 for 24 h) would repeat the same long wait.
   */
  DEADLINE_EXCEEDED: { retryable: false },
  /** Signed URLs are asked for but neither S3 presigning nor a CloudFront key is configured. */
  SIGNING_DISABLED: { retryable: false },
  /** A bug or an unexpected condition. */
  INTERNAL: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>;

export type ErrorCode = keyof typeof errorCodes;

/** Base class of every error this service raises on purpose. */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** The job the failure concerns, once one was created: answers carry it for correlation. */
  readonly jobId: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryable?: boolean; jobId?: string | undefined },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? errorCodes[code].retryable;
    this.jobId = options?.jobId;
  }
}

/**
 * The same failure, naming the job it concerns; a value that is no AppError becomes INTERNAL
 * (its message stays in the cause, not in the answer).
 */
export function withJobId(error: unknown, jobId: string): AppError {
  if (!isAppError(error))
    return new AppError('INTERNAL', 'Internal error', { cause: error, jobId });
  if (error.jobId === jobId) return error;
  return new AppError(error.code, error.message, {
    cause: error,
    retryable: error.retryable,
    jobId,
  });
}

/** Whether a value is an {@link AppError}. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A plain, serialisable description of any thrown value, for events and replies. */
export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retryable: boolean;
}

/** Describes any thrown value as an {@link ErrorInfo}; unknown errors become INTERNAL. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (isAppError(error)) {
    return { code: error.code, message: error.message, retryable: error.retryable };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message, retryable: true };
}
