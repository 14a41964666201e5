import type { ErrorInfo } from '../errors.js';
import type { ElementType } from '../opencast/model.js';
import type { Operation } from './command.js';

/** One object a distribute wrote or a retract removed. */
export interface ObjectOutcome {
  readonly elementId: string;
  readonly elementType: ElementType;
  readonly flavor: string | undefined;
  readonly mimetype: string | undefined;
  readonly bucket: string;
  /** Distribute: the object key. Retract: the folder prefix removed. */
  readonly key: string;
  /** Distribute: the published URL. Retract: the URL that was retracted. */
  readonly url: string;
  /** Distribute: bytes stored. Retract: objects deleted. */
  readonly size: number;
  /** Distribute with checkAvailability: whether the URL answered 200. */
  readonly available?: boolean | undefined;
}

/** What a finished command produced; the worker turns it into an event and a reply. */
export interface CommandOutcome {
  readonly operation: Operation;
  readonly mediaPackageId: string;
  /** The `###`-joined element XML: the job payload and the sync response body. */
  readonly payload: string;
  readonly objects: readonly ObjectOutcome[];
}

/** Reply to the requester of a command (the API process), sent to its reply queue. */
export interface JobReply {
  readonly version: 1;
  readonly jobId: string;
  readonly status: 'RUNNING' | 'FINISHED' | 'FAILED';
  readonly time: string;
  readonly payload?: string | undefined;
  readonly error?: ErrorInfo | undefined;
}
