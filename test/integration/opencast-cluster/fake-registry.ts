import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJob, serializeJob } from '../../../src/opencast/job-xml.js';
import type { Job } from '../../../src/opencast/model.js';
import { FakeDigest } from './fake-digest.js';

/** One request as the fake registry saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly form: URLSearchParams;
  /** The Digest verdict; 'none' without an Authorization header. */
  readonly auth: 'ok' | 'stale' | 'denied' | 'none';
}

/** What a route answers. */
interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: Record<string, string>;
}

const reply = (status: number, body = '', headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});

const NS = 'http://serviceregistry.opencastproject.org';
const USER = 'opencast_system_account';
const PASSWORD = 'CHANGE_ME';

/**
 * A small stand-in for the admin node's `/services` and `/incidents` endpoints, with the
 * behaviour the registry client depends on: Digest, 204/200/201/404 answers, optimistic
 * locking that answers 500 on a stale version, and switches to inject failures.
 */
export async function startFakeRegistry(options: { qop?: boolean } = {}) {
  const digest = new FakeDigest(USER, PASSWORD, options.qop ?? false);
  const seen: SeenRequest[] = [];
  const hosts = new Map<string, { maintenance: boolean; form: URLSearchParams }>();
  const services = new Map<string, { path: string; online: boolean }>();
  const jobs = new Map<string, Job>();
  const incidents: URLSearchParams[] = [];
  /** Status to answer instead, per `METHOD pathname`, consumed one per request. */
  const faults = new Map<string, number[]>();
  /** Job ids whose next PUT meets a concurrent writer / finds the job deleted. */
  const conflictOnce = new Set<string>();
  const deleteOnPut = new Set<string>();
  const hang = new Set<string>();
  let nextId = 100;

  const serviceXml = (type: string, host: string) => {
    const s = services.get(`${type} ${host}`)!;
    return `<service><type>${type}</type><host>${host}</host><path>${s.path}</path><active>true</active><online>${s.online}</online><maintenance>${hosts.get(host)?.maintenance ?? false}</maintenance><jobproducer>true</jobproducer><service_state>NORMAL</service_state></service>`;
  };

  function route(req: IncomingMessage, form: URLSearchParams): Reply {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = `${req.method ?? ''} ${url.pathname}`;
    const fault = faults.get(key)?.shift();
    if (fault !== undefined) return reply(fault);
    const host = form.get('host') ?? url.searchParams.get('host') ?? '';
    const jobMatch = /^\/services\/job\/(\d+)\.xml$/.exec(url.pathname);
    switch (key) {
      case 'POST /services/registerhost':
        hosts.set(host, { maintenance: false, form });
        return reply(204);
      case 'POST /services/maintenance': {
        const entry = hosts.get(host);
        if (entry === undefined) return reply(404);
        entry.maintenance = form.get('maintenance') === 'true';
        return reply(204);
      }
      case 'POST /services/register': {
        if (!hosts.has(host)) return reply(500);
        const type = form.get('serviceType') ?? '';
        services.set(`${type} ${host}`, { path: form.get('path') ?? '', online: true });
        return reply(200, serviceXml(type, host).replace('<service>', `<service xmlns="${NS}">`));
      }
      case 'POST /services/unregister': {
        const entry = services.get(`${form.get('serviceType') ?? ''} ${host}`);
        if (entry !== undefined) entry.online = false;
        return reply(204);
      }
      case 'GET /services/services.xml': {
        const type = url.searchParams.get('serviceType') ?? '';
        if (!services.has(`${type} ${host}`)) return reply(404);
        return reply(200, `<services xmlns="${NS}">${serviceXml(type, host)}</services>`);
      }
      case 'GET /services/hosts.xml': {
        const list = [...hosts.keys()].map((h) => `<host><base_url>${h}</base_url></host>`);
        return reply(200, `<hosts xmlns="${NS}">${list.join('')}</hosts>`);
      }
      case 'POST /services/job':
        return createJob(form, req);
      case 'POST /incidents/':
        incidents.push(form);
        return reply(201);
    }
    const id = jobMatch?.[1];
    const stored = id === undefined ? undefined : jobs.get(id);
    if (req.method === 'GET' && id !== undefined) {
      return stored === undefined ? reply(404) : reply(200, serializeJob(stored));
    }
    if (req.method === 'PUT' && id !== undefined) {
      if (deleteOnPut.delete(id)) jobs.delete(id);
      if (stored === undefined || !jobs.has(id)) return reply(500);
      if (conflictOnce.delete(id)) jobs.set(id, { ...stored, version: stored.version + 1 });
      const sent = parseJob(form.get('job') ?? '');
      if (sent.version !== jobs.get(id)!.version) return reply(500);
      jobs.set(id, { ...sent, version: sent.version + 1 });
      return reply(204);
    }
    return reply(404);
  }

  function createJob(form: URLSearchParams, req: IncomingMessage): Reply {
    const type = form.get('jobType') ?? '';
    const host = form.get('host') ?? '';
    if (!services.has(`${type} ${host}`)) return reply(500);
    const start = form.get('start') !== 'false';
    const parent = req.headers['x-opencast-matterhorn-current-job-id'] as string | undefined;
    const id = String(nextId++);
    const job: Job = {
      id,
      version: 1,
      type,
      status: start ? 'QUEUED' : 'INSTANTIATED',
      creator: (req.headers['x-opencast-matterhorn-user'] as string | undefined) ?? USER,
      organization:
        (req.headers['x-opencast-matterhorn-organization'] as string | undefined) ??
        'mh_default_org',
      url: `${address}/services/job/${id}.xml`,
      operation: form.get('operation') ?? '',
      args: form.getAll('arg'),
      processingHost: start ? undefined : host,
      parentJobId: parent,
      rootJobId: parent === undefined ? undefined : (jobs.get(parent)?.rootJobId ?? parent),
      queueTime: 0,
      runTime: 0,
      dispatchable: start,
      jobLoad: Number(form.get('jobLoad')),
    };
    jobs.set(id, job);
    return reply(201, serializeJob(job), { Location: job.url! });
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const auth = req.headers.authorization === undefined ? 'none' : digest.check(req);
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, form, auth });
      if (hang.has(new URL(req.url ?? '/', 'http://x').pathname)) return;
      if (auth !== 'ok' && req.headers['x-requested-auth'] !== 'Digest') {
        res.writeHead(302, { Location: '/login.html' }).end();
      } else if (auth !== 'ok') {
        res.writeHead(401, { 'WWW-Authenticate': digest.challenge(auth === 'stale') }).end();
      } else {
        const { status, body, headers } = route(req, form);
        res.writeHead(status, { 'Content-Type': 'text/xml', ...headers }).end(body);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    address,
    user: USER,
    password: PASSWORD,
    seen,
    hosts,
    jobs,
    incidents,
    expireNonces: () => {
      digest.expireAll();
    },
    /** Answers the next `times` requests to `METHOD /path` with `status`. */
    fail: (key: string, status: number, times = 1) => {
      faults.set(key, [...(faults.get(key) ?? []), ...Array<number>(times).fill(status)]);
    },
    conflictOnce: (id: string) => {
      conflictOnce.add(id);
    },
    deleteOnPut: (id: string) => {
      deleteOnPut.add(id);
    },
    /** Never answers requests to this path. */
    hang: (path: string) => {
      hang.add(path);
    },
    addJob: (job: Job) => {
      jobs.set(job.id, job);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

export type FakeRegistry = Awaited<ReturnType<typeof startFakeRegistry>>;
