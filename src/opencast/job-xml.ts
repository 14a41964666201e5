import { AppError } from '../errors.js';
import { formatJavaFloat, parseXmlFloat } from './java-float.js';
import { isJavaLong } from './java-long.js';
import { assertWritableJob, isJobStatus } from './job-check.js';
import {
  JOB_NS,
  type Job,
  type JobError,
  type JobProgress,
  type JobStatus,
  type JobUrlCheck,
} from './model.js';
import { formatXmlDateTime, parseXmlDateTime } from './xml-datetime.js';
import {
  attributeOf,
  childNodes,
  childText,
  quoteForMessage,
  textOf,
  toXmlNode,
} from './xml-node.js';
import { readXml, type XmlLimits } from './xml-tree.js';
import { parseXmlBoolean, parseXmlInteger } from './xml-values.js';
import { renderAttributes, renderLeaf, XML_DECLARATION } from './xml-writer.js';

/**
 * Writes a job as JAXB writes `JaxbJob` (spec §3.1): one line; attributes `id`, `version`,
 * `type`, `status`, then the default namespace; children in field order, absent ones
 * omitted, `<args/>` for an empty list, `dispatchable` always.
 */
export function serializeJob(job: Job): string {
  assertWritableJob(job);
  const leaf = <T>(name: string, value: T | undefined, format: (value: T) => string): string =>
    value === undefined ? '' : renderLeaf(name, format(value));
  const date = (name: string) => (value: Date) => formatXmlDateTime(value, `Job ${name}`);
  const attributes = renderAttributes([
    ['id', job.id],
    ['version', String(job.version)],
    ['type', job.type],
    ['status', job.status],
    ['xmlns', JOB_NS],
  ]);
  return [
    `${XML_DECLARATION}<job${attributes}>`,
    leaf('creator', job.creator, String),
    leaf('organization', job.organization, String),
    leaf('url', job.url, String),
    leaf('operation', job.operation, String),
    job.args === undefined ? '' : renderArgs(job.args),
    leaf('createdHost', job.createdHost, String),
    leaf('processingHost', job.processingHost, String),
    leaf('dateCreated', job.dateCreated, date('dateCreated')),
    leaf('dateStarted', job.dateStarted, date('dateStarted')),
    leaf('dateCompleted', job.dateCompleted, date('dateCompleted')),
    leaf('parentJobId', job.parentJobId, String),
    leaf('rootJobId', job.rootJobId, String),
    leaf('queueTime', job.queueTime, String),
    leaf('runTime', job.runTime, String),
    leaf('payload', job.payload, String),
    renderLeaf('dispatchable', String(job.dispatchable)),
    leaf('jobLoad', job.jobLoad, formatJobLoad),
    '</job>',
  ].join('');
}

// Every job of a process carries the same configured load: keep its text, not recompute it.
let lastJobLoad = NaN;
let lastJobLoadText = formatJavaFloat(NaN);

function formatJobLoad(load: number): string {
  if (!Object.is(load, lastJobLoad)) {
    lastJobLoadText = formatJavaFloat(load);
    lastJobLoad = load;
  }
  return lastJobLoadText;
}

function renderArgs(args: readonly string[]): string {
  if (args.length === 0) return '<args/>';
  return `<args>${args.map((arg) => renderLeaf('arg', arg)).join('')}</args>`;
}

/**
 * Parses job XML like `JobParser.parseJob`: the root's name and namespace are not checked
 * and children count only in the job namespace (others are ignored; their fields stay
 * undefined). XML_INVALID for a missing or malformed id, version, type or status, or any
 * value that cannot be read.
 */
export function parseJob(xml: string, limits?: Partial<XmlLimits>): Job {
  const node = toXmlNode(readXml(xml, limits), JOB_NS);
  const attribute = (name: string): string => {
    const value = attributeOf(node, name);
    if (value === undefined) throw new AppError('XML_INVALID', `The job has no ${name} attribute`);
    return value;
  };
  const id = attribute('id').trim();
  if (!isJavaLong(id)) {
    throw new AppError('XML_INVALID', `Job id is not a 64-bit integer: ${quoteForMessage(id)}`);
  }
  const status = attribute('status').trim();
  if (!isJobStatus(status)) {
    throw new AppError('XML_INVALID', `Unknown job status ${quoteForMessage(status)}`);
  }
  const text = (name: string): string | undefined => childText(node, name, 'The job');
  const read = <T>(name: string, parse: (value: string, what: string) => T): T | undefined => {
    const value = text(name);
    return value === undefined ? undefined : parse(value, `Job ${name}`);
  };
  const args = childNodes(node, 'args');
  if (args.length > 1) throw new AppError('XML_INVALID', 'The job has more than one <args>');
  return {
    id,
    version: parseXmlInteger(attribute('version'), 'Job version'),
    type: attribute('type'),
    status,
    creator: text('creator'),
    organization: text('organization'),
    url: text('url'),
    operation: text('operation'),
    args: args[0] === undefined ? undefined : childNodes(args[0], 'arg').map(textOf),
    createdHost: text('createdHost'),
    processingHost: text('processingHost'),
    dateCreated: read('dateCreated', parseXmlDateTime),
    dateStarted: read('dateStarted', parseXmlDateTime),
    dateCompleted: read('dateCompleted', parseXmlDateTime),
    parentJobId: read('parentJobId', parseLong),
    rootJobId: read('rootJobId', parseLong),
    queueTime: read('queueTime', parseXmlInteger),
    runTime: read('runTime', parseXmlInteger),
    payload: text('payload'),
    // A primitive boolean in JaxbJob: false when absent.
    dispatchable: read('dispatchable', parseXmlBoolean) ?? false,
    jobLoad: read('jobLoad', parseXmlFloat),
  };
}

function parseLong(text: string, what: string): string {
  const value = text.trim();
  if (!isJavaLong(value)) {
    throw new AppError('XML_INVALID', `${what} is not a 64-bit integer: ${quoteForMessage(text)}`);
  }
  return value;
}

/** A job as plain JSON: the same fields, dates as ISO-8601 strings, absent fields omitted. */
export interface JobJson {
  readonly id: string;
  readonly version: number;
  readonly type: string;
  readonly status: JobStatus;
  readonly creator?: string;
  readonly organization?: string;
  readonly url?: string;
  readonly operation?: string;
  readonly args?: readonly string[];
  readonly createdHost?: string;
  readonly processingHost?: string;
  readonly dateCreated?: string;
  readonly dateStarted?: string;
  readonly dateCompleted?: string;
  readonly parentJobId?: string;
  readonly rootJobId?: string;
  readonly queueTime?: number;
  readonly runTime?: number;
  readonly payload?: string;
  readonly dispatchable: boolean;
  readonly jobLoad?: number;
  readonly urlChecks?: readonly JobUrlCheck[];
  readonly error?: JobError;
  /** Not in the XML: how far a running upload got. */
  readonly progress?: JobProgress;
}

/** The JSON view of a job (for `Accept: application/json`). */
export function jobToJson(job: Job): JobJson {
  const iso = (date: Date | undefined, name: string): string | undefined =>
    date === undefined ? undefined : formatXmlDateTime(date, `Job ${name}`);
  const view = {
    ...job,
    args: job.args === undefined ? undefined : [...job.args],
    dateCreated: iso(job.dateCreated, 'dateCreated'),
    dateStarted: iso(job.dateStarted, 'dateStarted'),
    dateCompleted: iso(job.dateCompleted, 'dateCompleted'),
  };
  // Only undefined members are removed, so the object still has JobJson's shape.
  return Object.fromEntries(
    Object.entries(view).filter(([, value]) => value !== undefined),
  ) as unknown as JobJson;
}
