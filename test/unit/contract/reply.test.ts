import { describe, expect, it } from 'vitest';
import { decodeReply, encodeReply, type JobReply } from '../../../src/contract/reply.js';

const finished: JobReply = {
  version: 1,
  jobId: '4711',
  status: 'FINISHED',
  time: '2024-10-01T09:10:41.007Z',
  payload: '<track/>',
};

describe('job replies', () => {
  it('round-trip through encode and decode, with a per-status message id', () => {
    const message = encodeReply(finished, 'corr');
    expect(message.properties).toEqual({
      messageId: '4711:FINISHED',
      correlationId: 'corr',
      type: 'job-reply',
    });
    expect(decodeReply(message.body)).toEqual(finished);
  });

  it.each([
    ['not JSON', 'nope'],
    ['an unknown status', JSON.stringify({ ...finished, status: 'DONE' })],
    ['no job id', JSON.stringify({ ...finished, jobId: undefined })],
    ['a time that is no date', JSON.stringify({ ...finished, time: 'yesterday' })],
    ['another version', JSON.stringify({ ...finished, version: 2 })],
  ])('refuse %s', (_name, body) => {
    expect(decodeReply(Buffer.from(body))).toBeUndefined();
  });

  it('fail with INTERNAL when a newer worker sends an error code this build does not know', () => {
    const body = JSON.stringify({
      ...finished,
      status: 'FAILED',
      error: { code: 'SOMETHING_NEW', message: 'm', retryable: false },
    });
    expect(decodeReply(Buffer.from(body))?.error).toEqual({
      code: 'INTERNAL',
      message: 'm',
      retryable: false,
    });
  });
});
