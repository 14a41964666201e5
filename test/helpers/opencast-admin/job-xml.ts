/** Renders a job the way Opencast's REST layer marshals JaxbJob (wire spec §3.1). */
import type { Job } from './types.js';
import { el, XML_DECL } from './xml-text.js';

/** The job namespace; children outside it are ignored by JobParser. */
export const JOB_NS = 'http://job.opencastproject.org';
/** The extra namespace JAXB declares because the context also knows the registry package. */
export const REGISTRY_NS = 'http://serviceregistry.opencastproject.org';

const iso = (d: Date | undefined) => d?.toISOString();

/** One-line JaxbJob XML; `jobHost` gives the `url` element. */
export function renderJob(job: Job, jobHost: string): string {
  const args =
    job.args === undefined
      ? ''
      : job.args.length === 0
        ? '<args/>'
        : `<args>${job.args.map((a) => el('arg', a)).join('')}</args>`;
  return (
    `${XML_DECL}<job id="${job.id}" version="${job.version}" type="${job.type}" status="${job.status}"` +
    ` xmlns="${JOB_NS}" xmlns:ns2="${REGISTRY_NS}">` +
    el('creator', job.creator) +
    el('organization', job.organization) +
    el('url', `${jobHost}/services/job/${job.id}.xml`) +
    el('operation', job.operation) +
    args +
    el('createdHost', job.createdHost) +
    el('processingHost', job.processingHost) +
    el('dateCreated', iso(job.dateCreated)) +
    el('dateStarted', iso(job.dateStarted)) +
    el('dateCompleted', iso(job.dateCompleted)) +
    el('parentJobId', job.parentJobId) +
    el('rootJobId', job.rootJobId) +
    el('queueTime', job.queueTime) +
    el('runTime', job.runTime) +
    el('payload', job.payload) +
    el('dispatchable', job.dispatchable) +
    el('jobLoad', job.jobLoad) +
    '</job>'
  );
}
