/** The rows of the double's registry, shaped like Opencast's JPA entities. */

/** Job.Status names (wire spec §3.2). */
export type JobStatus =
  | 'QUEUED'
  | 'PAUSED'
  | 'RUNNING'
  | 'FINISHED'
  | 'FAILED'
  | 'DELETED'
  | 'INSTANTIATED'
  | 'DISPATCHING'
  | 'RESTART'
  | 'CANCELLED'
  | 'WAITING';

/** A row of `oc_job`; optional fields are omitted from the XML when undefined. */
export interface Job {
  id: number;
  version: number;
  type: string;
  status: JobStatus;
  creator?: string | undefined;
  organization?: string | undefined;
  operation?: string | undefined;
  args?: string[] | undefined;
  createdHost?: string | undefined;
  processingHost?: string | undefined;
  dateCreated?: Date | undefined;
  dateStarted?: Date | undefined;
  dateCompleted?: Date | undefined;
  parentJobId?: number | undefined;
  rootJobId?: number | undefined;
  queueTime: number;
  runTime: number;
  payload?: string | undefined;
  dispatchable: boolean;
  jobLoad: number;
}

/** A row of `oc_host_registration`. */
export interface HostRow {
  baseUrl: string;
  address: string;
  nodeName: string;
  memory: number;
  cores: number;
  maxLoad: number;
  online: boolean;
  active: boolean;
  maintenance: boolean;
}

/** Opencast's ServiceState. */
export type ServiceState = 'NORMAL' | 'WARNING' | 'ERROR';

/** A row of `oc_service_registration`, keyed by (type, host). */
export interface RegistrationRow {
  type: string;
  host: string;
  path: string;
  active: boolean;
  online: boolean;
  maintenance: boolean;
  jobProducer: boolean;
  onlineFrom: Date;
  serviceState: ServiceState;
  stateChanged: Date;
}

/** An incident as `POST /incidents/` records it. */
export interface IncidentRow {
  jobXml: string;
  date: string;
  code: string;
  severity: string;
  details: string;
}

/** One request the double answered (for assertions on what the service sent). */
export interface CallRecord {
  method: string;
  path: string;
  query: string;
  status: number;
  user?: string | undefined;
  headers: Record<string, string>;
  form?: Array<[string, string]> | undefined;
}
