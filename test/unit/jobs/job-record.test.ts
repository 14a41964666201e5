import { describe, expect, it } from 'vitest';
import { decodeJobRecord, encodeJobRecord } from '../../../src/jobs/job-record.js';
import type { Job } from '../../../src/opencast/model.js';

const failed: Job = {
  id: '42',
  version: 3,
  type: 'org.opencastproject.distribution.aws.s3',
  status: 'FAILED',
  dateCreated: new Date('2024-10-01T09:10:02.480Z'),
  dispatchable: true,
  error: { code: 'SOURCE_NOT_FOUND', message: 'video.mp4 answered 404' },
};

describe('job records', () => {
  it('keep why a job failed and its published URL checks across a shared store', () => {
    const finished: Job = {
      ...failed,
      status: 'FINISHED',
      error: undefined,
      urlChecks: [
        { elementId: 'a', url: 'http://cdn/a', result: 'unreachable', detail: 'ENOTFOUND' },
      ],
    };
    expect(decodeJobRecord(encodeJobRecord(failed))).toEqual(failed);
    expect(decodeJobRecord(encodeJobRecord(finished))).toEqual(finished);
  });

  it('refuses a record whose error is malformed', () => {
    const text = encodeJobRecord(failed).replace('"code":"SOURCE_NOT_FOUND"', '"code":7');
    expect(() => decodeJobRecord(text)).toThrow(/malformed/);
  });
});
