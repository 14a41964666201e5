import { describe, expect, it } from 'vitest';
import type { Job, JobStatus } from '../../../src/opencast/model.js';
import { reportChange } from '../../../src/opencast-cluster/report-change.js';

const H = 'http://s3-distribution:8080';

function job(status: JobStatus, processingHost: string | undefined = H): Job {
  return {
    id: '7',
    version: 4,
    type: 't',
    status,
    processingHost,
    operation: 'Distribute',
    args: ['c', '<mp/>', '["a"]', 'true'],
    dispatchable: true,
  };
}

describe('reportChange', () => {
  it('sets RUNNING on a job not yet running, keeping every other field', () => {
    expect(reportChange({ status: 'RUNNING' }, H)(job('DISPATCHING', undefined))).toEqual({
      ...job('DISPATCHING'),
      status: 'RUNNING',
      processingHost: H,
    });
    expect(reportChange({ status: 'RUNNING' }, H)(job('RUNNING'))).toBeUndefined();
  });

  it('sets FINISHED with the payload, and FAILED, keeping the accepting processor', () => {
    const other = 'http://other:8080';
    expect(
      reportChange({ status: 'FINISHED', payload: 'x###y' }, H)(job('RUNNING', other)),
    ).toEqual({ ...job('RUNNING', other), status: 'FINISHED', payload: 'x###y' });
    expect(reportChange({ status: 'FAILED' }, H)(job('RESTART', undefined))).toMatchObject({
      status: 'FAILED',
      processingHost: H,
    });
  });

  it.each<JobStatus>(['FINISHED', 'FAILED', 'DELETED', 'CANCELLED'])(
    'never changes a %s job',
    (status) => {
      for (const report of ['RUNNING', 'FINISHED', 'FAILED'] as const) {
        expect(reportChange({ status: report, payload: 'p' }, H)(job(status))).toBeUndefined();
      }
    },
  );
});
