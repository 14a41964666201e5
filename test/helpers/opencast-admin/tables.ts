/** The double's "database": hosts, service registrations, jobs, incidents and a call log. */
import type { CallRecord, HostRow, IncidentRow, Job, RegistrationRow } from './types.js';

/** In-memory tables; all fields are public so tests can inspect and arrange them. */
export class Tables {
  readonly hosts = new Map<string, HostRow>();
  /** Keyed by {@link regKey}. */
  readonly registrations = new Map<string, RegistrationRow>();
  readonly jobs = new Map<number, Job>();
  readonly incidents: IncidentRow[] = [];
  readonly calls: CallRecord[] = [];
  nextJobId = 1000;

  /** Empties every table, as a registry restarted on a fresh database would be. */
  wipe(): void {
    this.hosts.clear();
    this.registrations.clear();
    this.jobs.clear();
    this.incidents.length = 0;
  }

  /** The registration of (type, host), matched byte for byte as Opencast's queries do. */
  registration(type: string, host: string): RegistrationRow | undefined {
    return this.registrations.get(regKey(type, host));
  }

  /** Registrations the proxy and dispatcher may use: online, active, no maintenance, no ERROR. */
  usable(type: string): RegistrationRow[] {
    return [...this.registrations.values()].filter((r) => {
      const host = this.hosts.get(r.host);
      return (
        r.type === type &&
        r.online &&
        r.active &&
        !r.maintenance &&
        r.serviceState !== 'ERROR' &&
        host !== undefined &&
        host.online &&
        host.active &&
        !host.maintenance
      );
    });
  }

  /** Sum of the loads of a host's running jobs, for the by-load ordering. */
  hostLoad(host: string): number {
    let load = 0;
    for (const j of this.jobs.values()) {
      if (j.processingHost === host && ['RUNNING', 'DISPATCHING'].includes(j.status))
        load += j.jobLoad;
    }
    return load;
  }
}

/** Map key of a registration. */
export const regKey = (type: string, host: string): string => `${type}\u0000${host}`;
