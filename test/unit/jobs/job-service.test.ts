import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { JobService, type JobRequest } from '../../../src/jobs/job-service.js';
import { MemoryJobStore } from '../../../src/jobs/job-store.js';

const request: JobRequest = {
  type: 'retract',
  organization: 'mh_default_org',
  channelId: 'c',
  mediapackage: '<mediapackage/>',
  elementIds: ['e'],
};

function service(send: () => Promise<void>, maxWaiters?: number, store = new MemoryJobStore()) {
  let next = 1;
  return new JobService({
    store,
    send,
    replyTo: () => 'q',
    newJobId: () => String(next++),
    clock: () => new Date(),
    jobUrl: (id) => `/jobs/${id}`,
    jobLoad: 0.1,
    maxWaiters,
  });
}

describe('JobService sync waiting', () => {
  it('leaves no timer behind when the publish fails (no late unhandled rejection)', async () => {
    const jobs = service(() => Promise.reject(new AppError('BROKER_UNAVAILABLE', 'down')));
    await expect(jobs.submitAndWait(request, 20)).rejects.toMatchObject({
      code: 'BROKER_UNAVAILABLE',
    });
    // Had the timer survived, it would reject an abandoned promise here and vitest would
    // report the unhandled rejection as an error of this test.
    await sleep(60);
    expect((await jobs.get('1'))?.status).toBe('FAILED');
  });

  it('keeps why a job failed: a refused publish', async () => {
    const jobs = service(() => Promise.reject(new AppError('BROKER_UNAVAILABLE', 'down')));
    await expect(jobs.submit(request)).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(await jobs.get('1')).toMatchObject({
      status: 'FAILED',
      error: { code: 'BROKER_UNAVAILABLE', message: 'down' },
    });
  });

  it("keeps why a job failed: the worker's FAILED reply, or that it gave none", async () => {
    const jobs = service(() => Promise.resolve());
    await jobs.submit(request);
    await jobs.submit(request);
    const time = new Date().toISOString();
    const error = { code: 'SOURCE_NOT_FOUND', message: 'a.mp4: 404', retryable: false } as const;
    await jobs.applyReply({ version: 1, jobId: '1', status: 'FAILED', time, error });
    await jobs.applyReply({ version: 1, jobId: '2', status: 'FAILED', time });
    expect((await jobs.get('1'))?.error).toEqual({
      code: 'SOURCE_NOT_FOUND',
      message: 'a.mp4: 404',
    });
    expect((await jobs.get('2'))?.error).toEqual({
      code: 'INTERNAL',
      message: 'Job 2 failed; the worker gave no reason',
    });
  });

  it('answers a waiting request with the stored reason when its reply was lost', async () => {
    const store = new MemoryJobStore();
    const jobs = service(() => Promise.resolve(), undefined, store);
    const waiting = jobs.submitAndWait(request, 10_000);
    await sleep(5);
    const error = { code: 'STORAGE_UNAVAILABLE', message: 'S3 is down' };
    await store.update('1', (job) => ({ ...job, status: 'FAILED', error }));
    await jobs.recheckWaiters();
    await expect(waiting).resolves.toMatchObject({ error: { ...error, retryable: false } });
  });

  it('keeps an unconfirmed command QUEUED: async returns the job, sync waits for the reply', async () => {
    const unconfirmed = () => Promise.reject(new AppError('BROKER_UNCONFIRMED', 'no confirm'));
    const async = service(unconfirmed);
    await expect(async.submit(request)).resolves.toMatchObject({ id: '1', status: 'QUEUED' });
    expect((await async.get('1'))?.status).toBe('QUEUED');

    const sync = service(unconfirmed);
    const waiting = sync.submitAndWait(request, 1000);
    await sleep(20);
    await sync.applyReply({
      version: 1,
      jobId: '1',
      status: 'FINISHED',
      time: new Date().toISOString(),
    });
    await expect(waiting).resolves.toMatchObject({ job: { status: 'FINISHED' } });
  });

  it('refuses sync requests beyond maxWaiters with OVERLOADED', async () => {
    const jobs = service(() => Promise.resolve(), 1);
    const first = jobs.submitAndWait(request, 1000);
    await expect(jobs.submitAndWait(request, 1000)).rejects.toMatchObject({ code: 'OVERLOADED' });
    await jobs.applyReply({
      version: 1,
      jobId: '1',
      status: 'FINISHED',
      time: new Date().toISOString(),
    });
    await expect(first).resolves.toMatchObject({ job: { status: 'FINISHED' } });
  });

  it('lets a waiting request finish within the shutdown grace, refusing new ones', async () => {
    const jobs = service(() => Promise.resolve());
    const waiting = jobs.submitAndWait(request, 10_000);
    await sleep(5);
    const drained = jobs.drain(5_000);
    await expect(jobs.submit(request)).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await jobs.applyReply({
      version: 1,
      jobId: '1',
      status: 'FINISHED',
      time: new Date().toISOString(),
    });
    await expect(waiting).resolves.toMatchObject({ job: { id: '1', status: 'FINISHED' } });
    await drained;
  });

  it('tells a request still waiting when the grace ends that its job goes on (504)', async () => {
    const jobs = service(() => Promise.resolve());
    const waiting = jobs.submitAndWait(request, 10_000);
    await sleep(5);
    await jobs.drain(20);
    const error = await waiting.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'REPLY_TIMEOUT' });
    expect((error as Error).message).toContain('goes on, see /jobs/1');
  });

  it('answers a waiting request from the store when its reply was lost', async () => {
    const store = new MemoryJobStore();
    const jobs = service(() => Promise.resolve(), undefined, store);
    const waiting = jobs.submitAndWait(request, 10_000);
    await sleep(5);
    // What a worker with the shared store writes when the reply queue is gone.
    await store.update('1', (job) => ({ ...job, status: 'FINISHED', payload: '<p/>' }));
    await jobs.recheckWaiters();
    await expect(waiting).resolves.toMatchObject({ job: { status: 'FINISHED', payload: '<p/>' } });
  });

  it('looks at the store once more before answering 504', async () => {
    const store = new MemoryJobStore();
    const jobs = service(() => Promise.resolve(), undefined, store);
    const waiting = jobs.submitAndWait(request, 100);
    await sleep(5);
    await store.update('1', (job) => ({ ...job, status: 'FINISHED', payload: '<p/>' }));
    await expect(waiting).resolves.toMatchObject({ job: { status: 'FINISHED' } });
  });

  it('refuses a request whose record is over the per-job limit and publishes nothing', async () => {
    let sent = 0;
    const jobs = service(
      () => {
        sent += 1;
        return Promise.resolve();
      },
      undefined,
      new MemoryJobStore({ maxJobBytes: 4096 }),
    );
    await expect(
      jobs.submit({ ...request, mediapackage: `<mediapackage>${'x'.repeat(5000)}</mediapackage>` }),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(sent).toBe(0);
  });

  it('answers a waiting request from the reply even when the record was evicted', async () => {
    const jobs = service(() => Promise.resolve(), undefined, new MemoryJobStore({ maxJobs: 1 }));
    const waiting = jobs.submitAndWait(request, 1000);
    await sleep(5);
    await jobs.submit(request); // evicts job 1 from a store of one
    expect(await jobs.get('1')).toBeUndefined();
    await jobs.applyReply({
      version: 1,
      jobId: '1',
      status: 'FINISHED',
      time: new Date().toISOString(),
      payload: '<x/>',
    });
    await expect(waiting).resolves.toMatchObject({ job: { status: 'FINISHED', payload: '<x/>' } });
  });

  it('survives a shutdown whose grace ends before the publish is confirmed', async () => {
    let confirm: () => void = () => undefined;
    const jobs = service(
      () =>
        new Promise<void>((resolve) => {
          confirm = resolve;
        }),
    );
    const waiting = jobs.submitAndWait(request, 10_000);
    await sleep(5);
    await jobs.drain(10);
    // Without a handler on the early rejection, vitest reports an unhandled rejection here.
    await sleep(20);
    confirm();
    await expect(waiting).rejects.toMatchObject({ code: 'REPLY_TIMEOUT' });
  });

  it('ignores replies for unknown jobs and after a terminal state', async () => {
    const jobs = service(() => Promise.resolve());
    await jobs.applyReply({
      version: 1,
      jobId: '999',
      status: 'FINISHED',
      time: new Date().toISOString(),
    });
    expect(await jobs.get('999')).toBeUndefined();
  });
});
