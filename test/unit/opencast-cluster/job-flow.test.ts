import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/contract/command.js';
import { decodeCommand } from '../../../src/contract/command-codec.js';
import { AppError } from '../../../src/errors.js';
import { JOB_TYPE, type JobRequest } from '../../../src/jobs/job-service.js';
import { jobArguments } from '../../../src/opencast-cluster/job-arguments.js';
import { OpencastJobFlow } from '../../../src/opencast-cluster/job-flow.js';
import { FakeJobRegistry } from './fake-job-registry.js';

const H = 'http://s3-distribution:8080';
const MP = '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp"/>';

const request: JobRequest = {
  type: 'distribute',
  organization: 'mh_default_org',
  channelId: 'engage-player',
  mediapackage: MP,
  elementIds: ['a'],
  checkAvailability: true,
  creator: 'admin',
  parentJobId: '55',
};

function setup(
  dispatch: 'opencast' | 'immediate',
  options: { sendError?: AppError; invalid?: boolean } = {},
) {
  const registry = new FakeJobRegistry();
  const sent: Command[] = [];
  const flow = new OpencastJobFlow({
    registry,
    host: H,
    dispatch,
    jobLoads: { distribute: 0.3, retract: 0.2 },
    defaultOrganization: 'mh_default_org',
    send: (message) => {
      if (options.sendError !== undefined) return Promise.reject(options.sendError);
      sent.push(decodeCommand(message.body, { maxBytes: 1e6, routingKey: message.routingKey }));
      expect(message.properties.replyTo).toBeUndefined();
      return Promise.resolve();
    },
    validate: () => {
      if (options.invalid === true) throw new AppError('ELEMENT_NOT_FOUND', 'no element a');
    },
    logger: pino({ level: 'silent' }),
  });
  return { registry, sent, flow };
}

function queuedJob(registry: FakeJobRegistry, status: 'QUEUED' | 'RESTART' | 'RUNNING') {
  const { operation, args } = jobArguments(request);
  registry.jobs.set('9', {
    id: '9',
    version: 1,
    type: JOB_TYPE,
    status,
    operation,
    args,
    organization: 'org1',
    creator: 'admin',
    dispatchable: true,
  });
}

describe('OpencastJobFlow.submit', () => {
  it('creates a dispatchable job with the forwarded context and publishes nothing (opencast)', async () => {
    const { registry, sent, flow } = setup('opencast');
    const job = await flow.submit(request, { organization: 'org1', user: 'bob' });
    expect(job.status).toBe('QUEUED');
    expect(registry.created).toEqual([
      {
        jobType: JOB_TYPE,
        operation: 'Distribute',
        args: ['engage-player', MP, '["a"]', 'true'],
        jobLoad: 0.3,
        start: true,
        organization: 'org1',
        user: 'bob',
        currentJobId: '55',
      },
    ]);
    expect(sent).toHaveLength(0);
  });

  it('sets the job RUNNING, then publishes the command with its id (immediate)', async () => {
    const { registry, sent, flow } = setup('immediate');
    const job = await flow.submit(request, {});
    expect(job.status).toBe('RUNNING');
    expect(registry.created[0]?.start).toBe(false);
    expect(registry.jobs.get(job.id)).toMatchObject({ status: 'RUNNING', processingHost: H });
    expect(sent).toEqual([
      expect.objectContaining({ jobId: job.id, opencastJob: true, organization: 'mh_default_org' }),
    ]);
  });

  it('hands the job to the dispatcher when the broker certainly did not take it', async () => {
    const { registry, flow } = setup('immediate', {
      sendError: new AppError('BROKER_UNAVAILABLE', 'down'),
    });
    const job = await flow.submit(request, {});
    expect(job.status).toBe('QUEUED');
    expect(registry.jobs.get(job.id)).toMatchObject({
      status: 'QUEUED',
      dispatchable: true,
      processingHost: undefined,
    });
  });

  it('leaves the job RUNNING when the publish is unconfirmed: the command may run', async () => {
    const { registry, flow } = setup('immediate', {
      sendError: new AppError('BROKER_UNCONFIRMED', 'no confirm'),
    });
    await expect(flow.submit(request, {})).rejects.toMatchObject({ code: 'BROKER_UNCONFIRMED' });
    expect([...registry.jobs.values()][0]?.status).toBe('RUNNING');
  });
});

describe('OpencastJobFlow.dispatch', () => {
  it.each(['QUEUED', 'RESTART'] as const)(
    'accepts a %s job: RUNNING, then published',
    async (status) => {
      const { registry, sent, flow } = setup('opencast');
      queuedJob(registry, status);
      expect(await flow.dispatch('9')).toEqual({ accepted: true });
      expect(registry.jobs.get('9')).toMatchObject({ status: 'RUNNING', processingHost: H });
      expect(sent[0]).toMatchObject({ jobId: '9', organization: 'org1', opencastJob: true });
    },
  );

  it('refuses a job that can never run with JOB_NOT_RUNNABLE and leaves it alone', async () => {
    const { registry, sent, flow } = setup('opencast', { invalid: true });
    queuedJob(registry, 'QUEUED');
    await expect(flow.dispatch('9')).rejects.toMatchObject({ code: 'JOB_NOT_RUNNABLE' });
    expect(registry.jobs.get('9')?.status).toBe('QUEUED');
    expect(sent).toHaveLength(0);
  });

  it('does not take a job that is not waiting for dispatch, nor an unknown one', async () => {
    const { registry, sent, flow } = setup('opencast');
    queuedJob(registry, 'RUNNING');
    expect(await flow.dispatch('9')).toMatchObject({ accepted: false });
    await expect(flow.dispatch('10')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    expect(sent).toHaveLength(0);
  });

  it('does not fail a running job, even one with arguments it could not run', async () => {
    const { registry, flow } = setup('opencast', { invalid: true });
    queuedJob(registry, 'RUNNING');
    expect(await flow.dispatch('9')).toMatchObject({ accepted: false });
    expect(registry.jobs.get('9')?.status).toBe('RUNNING');
  });

  it('gives the job back as QUEUED when the broker is unavailable', async () => {
    const { registry, flow } = setup('opencast', {
      sendError: new AppError('BROKER_UNAVAILABLE', 'down'),
    });
    queuedJob(registry, 'QUEUED');
    expect(await flow.dispatch('9')).toMatchObject({ accepted: false });
    expect(registry.jobs.get('9')).toMatchObject({ status: 'QUEUED', processingHost: undefined });
  });
});
