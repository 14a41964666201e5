import { Hono, type Context } from 'hono';
import type { CommandRequest, Operation } from '../contract/command.js';
import { AppError } from '../errors.js';
import type { JobRequest, JobService } from '../jobs/job-service.js';
import { authenticatedUser } from './auth/digest-auth.js';
import { readForm } from './read-form.js';
import { URL_CHECK_HEADER, urlCheckHeader } from './url-check-header.js';
import { serializeJob } from '../opencast/job-xml.js';
import type { Job } from '../opencast/model.js';
import {
  CURRENT_JOB_HEADER,
  ORGANIZATION_HEADER,
  USER_HEADER,
  optionalField,
  parseCheckAvailability,
  parseElementIds,
  parseIdentifier,
  parseParentJobId,
  requiredField,
  requiredXmlField,
} from './request-fields.js';

/** What the distribution routes need. */
export interface DistributionRouteDeps {
  readonly jobs: JobService;
  /**
   * Checks a request without I/O (XML, element ids, keys, source allow-list); may parse a
   * large mediapackage off the event loop, hence the promise.
   */
  readonly validate: (request: CommandRequest) => void | Promise<void>;
  readonly syncTimeoutMs: number;
  readonly defaultOrganization: string;
  /**
   * Opencast mode: the async routes create the job in Opencast's service registry instead
   * of the job service. Undefined: standalone.
   */
  readonly opencastJobs?: OpencastJobSubmitter | undefined;
}

/** The request context headers a caller sent, forwarded to Opencast's registry as they came. */
export interface ForwardedContext {
  readonly organization?: string | undefined;
  readonly user?: string | undefined;
}

/**
 * Creates the registry's job for a validated request (its `parentJobId` is the caller's
 * current job) and starts it; resolves with the job as the registry has it.
 */
export type OpencastJobSubmitter = (
  request: JobRequest,
  forwarded: ForwardedContext,
) => Promise<Job>;

const XML = { 'Content-Type': 'text/xml; charset=UTF-8' };

/**
 * Opencast's `/distribution/s3` endpoint (docs/opencast-wire-spec.md §4.2): form-encoded requests, job XML
 * from the async routes, `###`-joined element XML from the sync routes, and 200 only on
 * success.
 */
export function distributionRoutes(deps: DistributionRouteDeps): Hono {
  const app = new Hono();

  const asyncResponse = async (c: Context, type: Operation) => {
    // Validation first: a bad request is a 400 and never becomes a job anywhere.
    const request = await readRequest(c, type, deps);
    const job =
      deps.opencastJobs === undefined
        ? await deps.jobs.submit(request)
        : await deps.opencastJobs(request, {
            organization: nonBlank(c.req.header(ORGANIZATION_HEADER)),
            user: nonBlank(c.req.header(USER_HEADER)),
          });
    return c.body(serializeJob(job), 200, XML);
  };
  app.post('/', (c) => asyncResponse(c, 'distribute'));
  app.post('/retract', (c) => asyncResponse(c, 'retract'));

  app.post('/distributesync', async (c) => syncResponse(c, 'distribute', deps));
  app.post('/retractsync', async (c) => syncResponse(c, 'retract', deps));
  return app;
}

async function syncResponse(
  c: Context,
  type: Operation,
  deps: DistributionRouteDeps,
): Promise<Response> {
  const request = await readRequest(c, type, deps);
  const { job, error } = await deps.jobs.submitAndWait(request, deps.syncTimeoutMs);
  if (job.status !== 'FINISHED') {
    throw new AppError(error?.code ?? 'INTERNAL', error?.message ?? `Job ${job.id} ${job.status}`, {
      jobId: job.id,
    });
  }
  c.header('X-Job-Id', job.id);
  // 200 all the same, as in Opencast: the objects are stored; the header says if players can reach them.
  const urlCheck = urlCheckHeader(job.urlChecks);
  if (urlCheck !== undefined) c.header(URL_CHECK_HEADER, urlCheck);
  return c.body(job.payload ?? '', 200, XML);
}

async function readRequest(
  c: Context,
  type: Operation,
  deps: DistributionRouteDeps,
): Promise<JobRequest> {
  const form = await readForm(c);
  const organizationHeader = c.req.header(ORGANIZATION_HEADER);
  const organization =
    organizationHeader === undefined || organizationHeader === ''
      ? deps.defaultOrganization
      : parseIdentifier(organizationHeader, `Header ${ORGANIZATION_HEADER}`);
  const channelId = parseIdentifier(requiredField(form, 'channelId'), "Form field 'channelId'");
  const mediapackage = requiredXmlField(form, 'mediapackage');
  const elementIds = parseElementIds(requiredField(form, 'elementId'));
  const creator = (c.req.header(USER_HEADER) ?? authenticatedUser(c))?.slice(0, 255);
  const parentJobId = parseParentJobId(c.req.header(CURRENT_JOB_HEADER));
  const common = { organization, channelId, mediapackage, elementIds, creator };
  const request: CommandRequest =
    type === 'distribute'
      ? {
          ...common,
          type,
          checkAvailability: parseCheckAvailability(optionalField(form, 'checkAvailability')),
        }
      : { ...common, type };
  await deps.validate(request);
  return { ...request, parentJobId };
}

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
