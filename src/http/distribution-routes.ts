import { Hono, type Context } from 'hono';
import type { CommandRequest, Operation } from '../contract/command.js';
import { AppError } from '../errors.js';
import type { JobRequest, JobService } from '../jobs/job-service.js';
import { authenticatedUser } from './auth/digest-auth.js';
import { serializeJob } from '../opencast/job-xml.js';
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
}

const XML = { 'Content-Type': 'text/xml; charset=UTF-8' };

/**
 * Opencast's `/distribution/s3` endpoint (docs/opencast-wire-spec.md §4.2): form-encoded requests, job XML
 * from the async routes, `###`-joined element XML from the sync routes, and 200 only on
 * success.
 */
export function distributionRoutes(deps: DistributionRouteDeps): Hono {
  const app = new Hono();

  const distribute = async (c: Context) => {
    const request = await readRequest(c, 'distribute', deps);
    const job = await deps.jobs.submit(request);
    return c.body(serializeJob(job), 200, XML);
  };
  app.post('/', distribute);

  app.post('/retract', async (c) => {
    const request = await readRequest(c, 'retract', deps);
    const job = await deps.jobs.submit(request);
    return c.body(serializeJob(job), 200, XML);
  });

  // Opencast's job-producer endpoints (docs/opencast-wire-spec.md §4.4). The heartbeat must answer 200 or
  // Opencast unregisters the service. This service takes work by HTTP and RabbitMQ, not
  // from Opencast's dispatcher: 503 makes the dispatcher offer a job to another node.
  // Hono answers HEAD with the GET route (without the body).
  app.get('/dispatch', (c) => c.body(null, 200));
  app.post('/dispatch', (c) =>
    c.text('This service does not take jobs from the dispatcher', 503, { 'Retry-After': '10' }),
  );

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
  const mediapackage = requiredField(form, 'mediapackage');
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

async function readForm(c: Context): Promise<Record<string, string | File | (string | File)[]>> {
  const type = c.req.header('Content-Type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
    throw new AppError(
      'INVALID_INPUT',
      'Expected a form body (application/x-www-form-urlencoded or multipart/form-data)',
    );
  }
  try {
    return await c.req.parseBody({ all: true });
  } catch (cause) {
    throw new AppError('INVALID_INPUT', 'The form body could not be read', { cause });
  }
}
