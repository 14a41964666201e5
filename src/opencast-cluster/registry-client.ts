/**
 * Client of Opencast's service registry REST endpoint (`/services`, protocol §3) for one
 * host string H: cluster membership of this service and the jobs Opencast follows.
 */
import { AppError } from '../errors.js';
import type { Job } from '../opencast/model.js';
import { RegistryHttp } from './registry-http.js';
import {
  createJob,
  getJob,
  recordIncident,
  type CreateJobInput,
  type IncidentDetail,
  type StoredJob,
} from './registry-jobs.js';
import {
  parseHostBaseUrls,
  parseServiceRegistration,
  parseServiceRegistrations,
  type ServiceRegistration,
} from './registration-xml.js';
import { updateJob, type JobChange, type UpdatePolicy, type UpdateResult } from './update-job.js';

/** Where the admin node is, the Digest system account, and this service's host string. */
export interface RegistryClientOptions {
  /** Base URL of the node running the registry (the admin node). */
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** H: scheme + host[:port] of this service as every node reaches it, no trailing slash. */
  readonly host: string;
  /** Milliseconds per HTTP exchange; default 30 s. */
  readonly timeoutMs?: number | undefined;
  /** Retries of job updates after a 500. */
  readonly update?: UpdatePolicy | undefined;
}

/** What `POST /services/registerhost` records about this host. */
export interface HostInfo {
  readonly address: string;
  readonly nodeName: string;
  /** Bytes. */
  readonly memory: number;
  readonly cores: number;
  /** Must be > 0: the dispatcher only picks hosts whose load is below it. */
  readonly maxLoad: number;
}

/** The registry calls of one host H. Every method throws RegistryError on failure. */
export class RegistryClient {
  private readonly http: RegistryHttp;

  constructor(private readonly options: RegistryClientOptions) {
    const { username, password, timeoutMs } = options;
    this.http = new RegistryHttp(options.baseUrl, { username, password, timeoutMs });
  }

  /** Registers (or brings online) host H; the registry answers 204. */
  async registerHost(info: HostInfo): Promise<void> {
    if (!(info.maxLoad > 0)) throw new AppError('INVALID_INPUT', 'maxLoad must be above 0');
    const form = new URLSearchParams({
      host: this.options.host,
      address: info.address,
      nodeName: info.nodeName,
      memory: String(info.memory),
      cores: String(info.cores),
      maxLoad: String(info.maxLoad),
    });
    await this.http.expect({ method: 'POST', path: 'services/registerhost', form }, 204);
  }

  /** The registration of `type` on H, or undefined when there is none (404). */
  async getServiceRegistration(type: string): Promise<ServiceRegistration | undefined> {
    const query = { serviceType: type, host: this.options.host };
    const call = { method: 'GET', path: 'services/services.xml', query } as const;
    const response = await this.http.expect(call, 200, 404);
    if (response.status === 404) return undefined;
    return parseServiceRegistrations(response.body).find(
      (r) => r.type === type && r.host === this.options.host,
    );
  }

  /**
   * Registers `type` at `path` on H as a job producer. Opencast first resets the jobs it
   * believes H is running (protocol §3 step 2): check {@link getServiceRegistration} first.
   */
  async registerService(type: string, path: string): Promise<ServiceRegistration> {
    const form = this.form({ serviceType: type, path, jobProducer: 'true' });
    const call = { method: 'POST', path: 'services/register', form } as const;
    return parseServiceRegistration((await this.http.expect(call, 200)).body);
  }

  /** Puts H into maintenance (no new work) or takes it out; 404 if H is not registered. */
  async setMaintenance(on: boolean): Promise<void> {
    const form = this.form({ maintenance: String(on) });
    await this.http.expect({ method: 'POST', path: 'services/maintenance', form }, 204);
  }

  /** Takes `type` on H offline; the registry resets the jobs it was running. */
  async unregisterService(type: string): Promise<void> {
    const form = this.form({ serviceType: type });
    await this.http.expect({ method: 'POST', path: 'services/unregister', form }, 204);
  }

  /** Base URLs of every registered host. */
  async listHosts(): Promise<string[]> {
    const response = await this.http.expect({ method: 'GET', path: 'services/hosts.xml' }, 200);
    return parseHostBaseUrls(response.body);
  }

  /** Creates the registry's job for a request H received (201 expected). */
  createJob(input: CreateJobInput): Promise<Job> {
    return createJob(this.http, this.options.host, input);
  }

  /** The job and its XML, or undefined if the registry does not know it. */
  getJob(id: string): Promise<StoredJob | undefined> {
    return getJob(this.http, id);
  }

  /** Reads, changes and writes back a job, retrying on version conflicts (see update-job.ts). */
  updateJob(id: string, change: JobChange): Promise<UpdateResult> {
    return updateJob(this.http, id, change, this.options.update);
  }

  /** Records the incident that explains a failed job. */
  recordIncident(job: Job, detail: IncidentDetail): Promise<void> {
    return recordIncident(this.http, job, detail);
  }

  /** A form of `fields` and `host=H`. */
  private form(fields: Record<string, string>): URLSearchParams {
    return new URLSearchParams({ ...fields, host: this.options.host });
  }
}
