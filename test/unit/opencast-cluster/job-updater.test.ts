import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { JobReply } from '../../../src/contract/reply.js';
import type { Job } from '../../../src/opencast/model.js';
import { createJobUpdater } from '../../../src/opencast-cluster/job-updater.js';
import { FakeJobRegistry } from './fake-job-registry.js';

const H = 'http://s3-distribution:8080';
const FAST = { baseDelayMs: 1, maxDelayMs: 5, maxWaitMs: 10_000 };

function setup(status: Job['status'] = 'RUNNING') {
  const registry = new FakeJobRegistry();
  registry.jobs.set('7', {
    id: '7',
    version: 2,
    type: 't',
    status,
    processingHost: H,
    dispatchable: true,
    args: ['c', '<mp/>', '["a"]', 'true'],
  });
  const updater = createJobUpdater({
    registry,
    host: H,
    logger: pino({ level: 'silent' }),
    backoff: FAST,
  });
  return { registry, updater };
}

function delivery(report: Partial<JobReply>, redelivered = false) {
  const body: JobReply = {
    version: 1,
    jobId: '7',
    status: 'FINISHED',
    time: '2024-10-01T09:00:00.000Z',
    ...report,
  };
  return { body: Buffer.from(JSON.stringify(body)), redelivered };
}

const signal = new AbortController().signal;

describe('the Opencast job updater', () => {
  it('writes FINISHED with the payload and acks', async () => {
    const { registry, updater } = setup();
    expect(await updater(delivery({ payload: 'a###b' }), signal)).toBe('ack');
    expect(registry.jobs.get('7')).toMatchObject({ status: 'FINISHED', payload: 'a###b' });
    expect(registry.jobs.get('7')?.args).toHaveLength(4);
    expect(registry.incidents).toHaveLength(0);
  });

  it('writes FAILED and records an incident naming the error', async () => {
    const { registry, updater } = setup();
    const error = { code: 'SOURCE_NOT_FOUND' as const, message: 'x.mp4 404', retryable: false };
    expect(await updater(delivery({ status: 'FAILED', error }), signal)).toBe('ack');
    expect(registry.jobs.get('7')?.status).toBe('FAILED');
    expect(registry.incidents).toHaveLength(1);
    expect(registry.incidents[0]?.detail.title).toContain('SOURCE_NOT_FOUND');
    expect(registry.incidents[0]?.detail.content).toBe('x.mp4 404');
  });

  it('retries an unreachable registry until the update arrives', async () => {
    const { registry, updater } = setup();
    registry.unavailable = 3;
    expect(await updater(delivery({ payload: 'p' }), signal)).toBe('ack');
    expect(registry.unavailable).toBe(0);
    expect(registry.jobs.get('7')?.status).toBe('FINISHED');
  });

  it('retries only the incident once the job is FAILED, recording it once', async () => {
    const { registry, updater } = setup();
    registry.incidentFailures = 2;
    expect(await updater(delivery({ status: 'FAILED' }), signal)).toBe('ack');
    expect(registry.incidents).toHaveLength(1);
  });

  it('requeues when the registry stays down past the wait, or on shutdown', async () => {
    const registry = new FakeJobRegistry();
    registry.unavailable = 1_000_000;
    let now = 0;
    const updater = createJobUpdater({
      registry,
      host: H,
      logger: pino({ level: 'silent' }),
      backoff: { baseDelayMs: 1, maxDelayMs: 1, maxWaitMs: 50 },
      clock: () => (now += 10),
    });
    expect(await updater(delivery({}), signal)).toBe('requeue');
    const aborted = AbortSignal.abort();
    expect(await updater(delivery({}), aborted)).toBe('requeue');
  });

  it('drops the report of a job the registry no longer has', async () => {
    const { registry, updater } = setup();
    registry.jobs.clear();
    expect(await updater(delivery({}), signal)).toBe('ack');
  });

  it('never takes a final job back to RUNNING, and adds no second incident', async () => {
    const { registry, updater } = setup('FINISHED');
    expect(await updater(delivery({ status: 'RUNNING' }), signal)).toBe('ack');
    expect(registry.jobs.get('7')?.status).toBe('FINISHED');
    const failed = setup('FAILED');
    expect(await failed.updater(delivery({ status: 'FAILED' }), signal)).toBe('ack');
    expect(failed.registry.incidents).toHaveLength(0);
    // A redelivered FAILED report may follow a crash before the incident: record it.
    expect(await failed.updater(delivery({ status: 'FAILED' }, true), signal)).toBe('ack');
    expect(failed.registry.incidents).toHaveLength(1);
  });

  it('parks a message that is not a report', async () => {
    const { updater } = setup();
    expect(await updater({ body: Buffer.from('nope'), redelivered: false }, signal)).toBe(
      'dead-letter',
    );
  });
});
