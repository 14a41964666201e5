import { describe, expect, it } from 'vitest';
import { decodeReply, encodeReply, type JobReply } from '../../../src/contract/reply.js';
import { JobService, type JobRequest } from '../../../src/jobs/job-service.js';
import { decodeJobRecord, encodeJobRecord } from '../../../src/jobs/job-record.js';
import { MemoryJobStore } from '../../../src/jobs/job-store.js';
import { jobAfterReply } from '../../../src/jobs/job-transition.js';
import { jobToJson, serializeJob } from '../../../src/opencast/job-xml.js';
import type { Job } from '../../../src/opencast/model.js';

const request: JobRequest = {
  type: 'distribute',
  organization: 'mh_default_org',
  channelId: 'c',
  mediapackage: '<mediapackage/>',
  elementIds: ['e'],
  checkAvailability: false,
};
const time = '2026-01-01T00:00:05.000Z';
const progress = { bytesDone: 5, bytesTotal: 10, elementsDone: 0, elementsTotal: 1 };
const running: JobReply = { version: 1, jobId: '1', status: 'RUNNING', time, progress };

function service(store = new MemoryJobStore()) {
  return new JobService({
    store,
    send: () => Promise.resolve(),
    replyTo: () => 'q',
    newJobId: () => '1',
    clock: () => new Date('2026-01-01T00:00:00Z'),
    jobUrl: (id) => `/jobs/${id}`,
    jobLoad: 0.1,
  });
}

describe('progress in the job record', () => {
  it('a progress reply starts the job and updates it, only when it changed', async () => {
    const jobs = service();
    await jobs.submit(request);
    await jobs.applyReply(running);
    const first = await jobs.get('1');
    expect(first).toMatchObject({ status: 'RUNNING', progress });
    await jobs.applyReply(running);
    expect((await jobs.get('1'))?.version).toBe(first?.version);
    const later = { ...progress, bytesDone: 10, elementsDone: 1 };
    await jobs.applyReply({ ...running, progress: later });
    expect((await jobs.get('1'))?.progress).toEqual(later);
    // A plain RUNNING reply (e.g. re-sent) keeps the progress.
    await jobs.applyReply({ version: 1, jobId: '1', status: 'RUNNING', time });
    expect((await jobs.get('1'))?.progress).toEqual(later);
    await jobs.applyReply({ version: 1, jobId: '1', status: 'FINISHED', time, payload: 'x' });
    // A late report changes nothing once the job ended.
    await jobs.applyReply(running);
    expect(await jobs.get('1')).toMatchObject({ status: 'FINISHED', progress: later });
  });

  it('shows in the JSON view and the stored record, never in the job XML', () => {
    const job: Job = {
      id: '1',
      version: 2,
      type: 't',
      status: 'RUNNING',
      dispatchable: true,
      progress,
    };
    expect(jobToJson(job).progress).toEqual(progress);
    expect(decodeJobRecord(encodeJobRecord(job)).progress).toEqual(progress);
    const { progress: _ignored, ...opencast } = job;
    expect(serializeJob(job)).toBe(serializeJob(opencast));
    expect(serializeJob(job)).not.toMatch(/progress|bytes/i);
  });

  it('refuses malformed progress in a reply and in a stored record', () => {
    for (const bad of [
      { ...progress, bytesDone: -1 },
      { ...progress, bytesDone: 1.5 },
      { ...progress, elementsTotal: 'x' },
      { bytesDone: 1 },
      'lots',
    ]) {
      const body = Buffer.from(JSON.stringify({ ...running, progress: bad }));
      expect(decodeReply(body)).toBeUndefined();
      const record = JSON.stringify({
        id: '1',
        version: 1,
        type: 't',
        status: 'RUNNING',
        dispatchable: true,
        progress: bad,
      });
      expect(() => decodeJobRecord(record)).toThrow(/malformed/);
    }
  });

  it('gives each progress reply a message id of its own', () => {
    const a = encodeReply(running, 'c').properties.messageId;
    const b = encodeReply({ ...running, progress: { ...progress, bytesDone: 6 } }, 'c').properties
      .messageId;
    expect(a).not.toBe(b);
    expect(encodeReply({ ...running, progress: undefined }, 'c').properties.messageId).toBe(
      '1:RUNNING',
    );
    expect(decodeReply(encodeReply(running, 'c').body)).toEqual(running);
  });

  it('jobAfterReply leaves a terminal job as it is', () => {
    const done: Job = { id: '1', version: 3, type: 't', status: 'FAILED', dispatchable: true };
    expect(jobAfterReply(done, running)).toBe(done);
  });
});
