/** An in-memory registry of jobs with the RegistryClient's job methods, for unit tests. */
import { AppError } from '../../../src/errors.js';
import type { Job } from '../../../src/opencast/model.js';
import type { CreateJobInput } from '../../../src/opencast-cluster/registry-jobs.js';
import type { IncidentDetail } from '../../../src/opencast-cluster/registry-jobs.js';
import { RegistryError } from '../../../src/opencast-cluster/registry-error.js';
import type { JobChange, UpdateResult } from '../../../src/opencast-cluster/update-job.js';

export class FakeJobRegistry {
  readonly jobs = new Map<string, Job>();
  readonly incidents: { job: Job; detail: IncidentDetail }[] = [];
  readonly created: CreateJobInput[] = [];
  /** Calls that fail with REGISTRY_UNAVAILABLE before the next one succeeds. */
  unavailable = 0;
  incidentFailures = 0;
  private next = 100;

  private check(): void {
    if (this.unavailable > 0) {
      this.unavailable--;
      throw new RegistryError('REGISTRY_UNAVAILABLE', 'registry down');
    }
  }

  createJob(input: CreateJobInput): Promise<Job> {
    this.check();
    this.created.push(input);
    const job: Job = {
      id: String(this.next++),
      version: 1,
      type: input.jobType,
      status: input.start ? 'QUEUED' : 'INSTANTIATED',
      operation: input.operation,
      args: input.args,
      organization: input.organization,
      creator: input.user,
      parentJobId: input.currentJobId,
      dispatchable: input.start,
      jobLoad: input.jobLoad,
    };
    this.jobs.set(job.id, job);
    return Promise.resolve(job);
  }

  getJob(id: string) {
    this.check();
    const job = this.jobs.get(id);
    return Promise.resolve(job && { job, xml: '' });
  }

  updateJob(id: string, change: JobChange): Promise<UpdateResult> {
    this.check();
    const current = this.jobs.get(id);
    if (current === undefined) return Promise.resolve({ outcome: 'missing' });
    const next = change(current);
    if (next === undefined) return Promise.resolve({ outcome: 'skipped', job: current });
    this.jobs.set(id, { ...next, version: current.version + 1 });
    return Promise.resolve({ outcome: 'updated', job: next });
  }

  recordIncident(job: Job, detail: IncidentDetail): Promise<void> {
    if (this.incidentFailures-- > 0) {
      return Promise.reject(new AppError('REGISTRY_UNAVAILABLE', 'incidents down'));
    }
    this.incidents.push({ job, detail });
    return Promise.resolve();
  }
}
