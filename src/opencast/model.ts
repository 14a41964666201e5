/**
 * Types of Opencast's wire formats (see docs/opencast-wire-spec.md §1-3).
 * Pure data; the parsers and writers live beside this file.
 */

/** Namespace of every mediapackage element (spec §1.1). */
export const MEDIAPACKAGE_NS = 'http://mediapackage.opencastproject.org';
/** Namespace of every job element (spec §3.1). */
export const JOB_NS = 'http://job.opencastproject.org';

/** Root element names of the element kinds that can be distributed (spec §2.1). */
export type ElementType = 'track' | 'catalog' | 'attachment' | 'publication';

/**
 * A namespace-normalised XML element: its local name, attributes in document order and
 * children (elements and non-blank text) in document order. Only children in the
 * mediapackage namespace are kept, as Opencast's JAXB parser does.
 */
export interface XmlNode {
  readonly name: string;
  readonly attributes: readonly (readonly [name: string, value: string])[];
  readonly children: readonly (XmlNode | string)[];
}

/** A track, catalog, attachment or publication of a mediapackage. */
export interface MediaPackageElement {
  readonly elementType: ElementType;
  readonly id: string;
  /** `type/subtype`, from the `type` attribute. */
  readonly flavor: string | undefined;
  /** The `ref` attribute, e.g. `track:abc`. */
  readonly reference: string | undefined;
  readonly mimetype: string | undefined;
  readonly tags: readonly string[];
  /** The element's URI as written in the XML (no decoding or normalisation). */
  readonly url: string;
  readonly size: number | undefined;
  readonly checksum: { readonly type: string; readonly value: string } | undefined;
  /** Track only: `logicalname` (HLS). */
  readonly logicalName: string | undefined;
  /** Track only: `master`, set on HLS playlists (true for a master playlist). */
  readonly master?: boolean | undefined;
  /** Publication only: the `channel` attribute. */
  readonly channel: string | undefined;
  /** Publication only: the elements nested inside it. */
  readonly children: readonly MediaPackageElement[];
  /** The whole element as parsed; the writer renders it back in Opencast's order. */
  readonly node: XmlNode;
}

/** A parsed mediapackage: identity, a few descriptive fields and its elements. */
export interface MediaPackage {
  readonly id: string;
  readonly title: string | undefined;
  readonly start: string | undefined;
  readonly duration: number | undefined;
  readonly seriesId: string | undefined;
  /** Tracks, catalogs, attachments and publications in document order. */
  readonly elements: readonly MediaPackageElement[];
}

/** The eleven `Job.Status` names (spec §3.2). */
export const JOB_STATUSES = [
  'QUEUED',
  'PAUSED',
  'RUNNING',
  'FINISHED',
  'FAILED',
  'DELETED',
  'INSTANTIATED',
  'DISPATCHING',
  'RESTART',
  'CANCELLED',
  'WAITING',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * How far a running job got (this service's addition: never part of Opencast's job XML).
 * `bytesTotal` only when every element's length is known.
 */
export interface JobProgress {
  readonly bytesDone: number;
  readonly bytesTotal?: number | undefined;
  readonly elementsDone: number;
  readonly elementsTotal: number;
}

/** An Opencast job (`JaxbJob`, spec §3.1). Optional fields are omitted from the XML. */
export interface Job {
  /** Decimal string of a 64-bit integer (Opencast parses it as a Java long). */
  readonly id: string;
  readonly version: number;
  readonly type: string;
  readonly status: JobStatus;
  readonly creator?: string | undefined;
  readonly organization?: string | undefined;
  readonly url?: string | undefined;
  readonly operation?: string | undefined;
  readonly args?: readonly string[] | undefined;
  readonly createdHost?: string | undefined;
  readonly processingHost?: string | undefined;
  readonly dateCreated?: Date | undefined;
  readonly dateStarted?: Date | undefined;
  readonly dateCompleted?: Date | undefined;
  readonly parentJobId?: string | undefined;
  readonly rootJobId?: string | undefined;
  readonly queueTime?: number | undefined;
  readonly runTime?: number | undefined;
  readonly payload?: string | undefined;
  readonly dispatchable: boolean;
  readonly jobLoad?: number | undefined;
  /** Not Opencast's: upload progress, shown in the JSON view only (never in the XML). */
  readonly progress?: JobProgress | undefined;
  /** This service's own (not in Opencast's job XML): why a FAILED job failed. */
  readonly error?: JobError | undefined;
  /** This service's own (not in Opencast's job XML): a distribute's published URL checks. */
  readonly urlChecks?: readonly JobUrlCheck[] | undefined;
}

/** Why a job failed: the error code of the catalogue (`SOURCE_NOT_FOUND`, ...) and a message. */
export interface JobError {
  readonly code: string;
  readonly message: string;
}

/** The check of one published URL: `available`, `unavailable` or `unreachable`, and why. */
export interface JobUrlCheck {
  readonly elementId: string;
  readonly url: string;
  readonly result: 'available' | 'unavailable' | 'unreachable';
  readonly detail: string;
}
