import type { EventElement } from '../contract/event.js';
import type { Operation } from '../contract/command.js';

/** One object a distribute wrote or a retract removed; events list exactly these. */
export type ObjectOutcome = EventElement;

/** What a finished command produced; the worker turns it into an event and a reply. */
export interface CommandOutcome {
  readonly operation: Operation;
  readonly mediaPackageId: string;
  /** The `###`-joined element XML: the job payload and the sync response body. */
  readonly payload: string;
  readonly objects: readonly ObjectOutcome[];
}
