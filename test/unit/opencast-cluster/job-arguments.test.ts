import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { JOB_TYPE } from '../../../src/jobs/job-service.js';
import type { Job } from '../../../src/opencast/model.js';
import { commandFromJob, jobArguments } from '../../../src/opencast-cluster/job-arguments.js';

const MP = '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp"/>';

function job(fields: Partial<Job>): Job {
  return {
    id: '4711',
    version: 3,
    type: JOB_TYPE,
    status: 'DISPATCHING',
    organization: 'org1',
    creator: 'admin',
    operation: 'Distribute',
    args: ['engage-player', MP, '["a","b"]', 'true'],
    dispatchable: true,
    ...fields,
  };
}

function refusal(fields: Partial<Job>): string {
  try {
    commandFromJob(job(fields), 'mh_default_org');
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('JOB_NOT_RUNNABLE');
    return (error as AppError).message;
  }
  throw new Error('expected a refusal');
}

describe('jobArguments', () => {
  it("writes Java's argument list: channel, mediapackage, Gson ids, checkAvailability", () => {
    const common = { organization: 'o', channelId: 'c', mediapackage: MP, elementIds: ['a', 'b'] };
    expect(jobArguments({ ...common, type: 'distribute', checkAvailability: false })).toEqual({
      operation: 'Distribute',
      args: ['c', MP, '["a","b"]', 'false'],
    });
    expect(jobArguments({ ...common, type: 'retract' })).toEqual({
      operation: 'Retract',
      args: ['c', MP, '["a","b"]'],
    });
  });
});

describe('commandFromJob', () => {
  it('reads a Distribute job into an Opencast-job command', () => {
    expect(commandFromJob(job({}), 'mh_default_org')).toEqual({
      version: 1,
      type: 'distribute',
      jobId: '4711',
      organization: 'org1',
      channelId: 'engage-player',
      mediapackage: MP,
      elementIds: ['a', 'b'],
      checkAvailability: true,
      creator: 'admin',
      opencastJob: true,
    });
  });

  it('reads a Retract job, defaulting the organization', () => {
    const command = commandFromJob(
      job({ operation: 'Retract', organization: undefined, args: ['internal', MP, '["a"]'] }),
      'mh_default_org',
    );
    expect(command).toMatchObject({ type: 'retract', organization: 'mh_default_org' });
  });

  it('reads checkAvailability as Boolean.parseBoolean does', () => {
    const read = (value: string) => {
      const command = commandFromJob(job({ args: ['c', MP, '["a"]', value] }), 'mh_default_org');
      return command.type === 'distribute' ? command.checkAvailability : undefined;
    };
    expect([read('TRUE'), read('false'), read('yes')]).toEqual([true, false, false]);
  });

  it('refuses what can never run, naming why', () => {
    expect(refusal({ type: 'org.opencastproject.composer' })).toContain('type');
    expect(refusal({ operation: 'Publish' })).toContain("unknown operation 'Publish'");
    expect(refusal({ args: ['c', MP] })).toContain('takes 4 arguments, it has 2');
    expect(refusal({ args: ['c', MP, 'not json', 'true'] })).toContain('not a JSON array');
    expect(refusal({ args: ['../x', MP, '["a"]', 'true'] })).toContain('channelId');
    expect(refusal({ args: ['c', MP, '[]', 'true'] })).toContain('elementIds');
  });
});
