import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/contract/command.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { validateRequest } from '../../../src/distribution/validate.js';
import { AppError } from '../../../src/errors.js';
import { createApp } from '../../../src/http/app.js';
import type { JobService } from '../../../src/jobs/job-service.js';
import { createMetrics } from '../../../src/metrics.js';
import { readFixture } from '../../helpers/fixtures.js';
import { prefixSources, testJobService } from '../../helpers/app-harness.js';

// Issue 8 item 12: who sees /metrics and whose jobs, and the job id on sync errors.
const SOURCE = 'http://sources.example.org/files/';
const USERS = new Map([
  ['opencast_system_account', 'system-pass'],
  ['tenant2_user', 'tenant2-pass'],
  ['other_admin', 'admin-pass'],
]);
const ROLES = new Map<string, ReadonlySet<string>>([
  ['opencast_system_account', new Set(['ROLE_ADMIN', 'ROLE_SUDO'])],
  ['other_admin', new Set(['ROLE_ADMIN'])],
]);

function basic(user: string): Record<string, string> {
  const password = USERS.get(user) ?? '';
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

function harness(
  options: {
    auth?: boolean;
    metricsPublic?: boolean;
    onSend?: (command: Command, jobs: JobService) => void;
    sendError?: Error;
    syncTimeoutMs?: number;
  } = {},
) {
  const jobs = testJobService({ onSend: options.onSend, sendError: options.sendError });
  const targets = createTargetResolver(new Map(), { bucket: 'b', baseUrl: 'http://cdn.test/' });
  const sources = prefixSources(SOURCE);
  const app = createApp({
    jobs,
    validate: (request) => {
      validateRequest(request, { sources, targets });
    },
    syncTimeoutMs: options.syncTimeoutMs ?? 5000,
    defaultOrganization: 'mh_default_org',
    readiness: () => Promise.resolve({ ready: true, checks: {} }),
    maxBodyBytes: 1024 * 1024,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    auth: options.auth === false ? undefined : { users: USERS, allowBasic: true },
    metricsPublic: options.metricsPublic,
    roles: ROLES,
  });
  return { app, jobs };
}

function form(organization?: string, user = 'opencast_system_account'): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
      ...basic(user),
      ...(organization === undefined ? {} : { 'X-Opencast-Matterhorn-Organization': organization }),
    },
    body: new URLSearchParams({
      channelId: 'engage-player',
      mediapackage: readFixture('mediapackage.xml').replace(
        /<url>([^<:]+)<\/url>/g,
        `<url>${SOURCE}$1</url>`,
      ),
      elementId: '["presenter-delivery"]',
      checkAvailability: 'false',
    }).toString(),
  };
}

describe('/metrics', () => {
  it('requires credentials when users are configured', async () => {
    const { app } = harness();
    const refused = await app.request('/metrics');
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain('ocs3_');
    const res = await app.request('/metrics', { headers: basic('tenant2_user') });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('process_resident_memory_bytes');
  });

  it('answers without credentials when METRICS_PUBLIC says so, and health checks always do', async () => {
    const { app } = harness({ metricsPublic: true });
    expect((await app.request('/metrics')).status).toBe(200);
    expect((await app.request('/health')).status).toBe(200);
    expect((await app.request('/jobs/1000')).status).toBe(401);
  });
});

describe('GET /jobs/{id} across organizations', () => {
  it("shows a job only to its organization and to admins; others get 404, as for a job that doesn't exist", async () => {
    const { app } = harness();
    // 1000 in tenant1, 1001 in the default organization, both created by the system account.
    expect((await app.request('/distribution/s3', form('tenant1'))).status).toBe(200);
    expect((await app.request('/distribution/s3', form())).status).toBe(200);

    // A user without ROLE_ADMIN acts in the default organization only: tenant1's job is
    // indistinguishable from an unknown id.
    const foreign = await app.request('/jobs/1000', { headers: basic('tenant2_user') });
    const unknown = await app.request('/jobs/4242', { headers: basic('tenant2_user') });
    expect(foreign.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect((await foreign.text()).replace('1000', 'ID')).toBe(
      (await unknown.text()).replace('4242', 'ID'),
    );
    // Naming tenant1 in the header needs ROLE_ADMIN (Opencast's rule): 403, no job.
    const switched = await app.request('/jobs/1000', {
      headers: { ...basic('tenant2_user'), 'X-Opencast-Matterhorn-Organization': 'tenant1' },
    });
    expect(switched.status).toBe(403);
    expect(await switched.text()).not.toContain('mediapackage');

    const own = await app.request('/jobs/1001.json', { headers: basic('tenant2_user') });
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ id: '1001', organization: 'mh_default_org' });
    for (const admin of ['opencast_system_account', 'other_admin']) {
      expect((await app.request('/jobs/1000', { headers: basic(admin) })).status).toBe(200);
    }
  });

  it('applies the organization rule without authentication as well', async () => {
    const { app } = harness({ auth: false });
    await app.request('/distribution/s3', form('tenant1'));
    expect((await app.request('/jobs/1000')).status).toBe(404);
    const own = await app.request('/jobs/1000', {
      headers: { 'X-Opencast-Matterhorn-Organization': 'tenant1' },
    });
    expect(own.status).toBe(200);
  });
});

describe('sync errors name their job', () => {
  it('carries the job id in X-Job-Id and the JSON body when the job failed', async () => {
    const { app } = harness({
      onSend: (command, jobs) => {
        queueMicrotask(() => {
          void jobs.applyReply({
            version: 1,
            jobId: command.jobId,
            status: 'FAILED',
            time: new Date().toISOString(),
            error: { code: 'SOURCE_NOT_FOUND', message: 'source answered 404', retryable: false },
          });
        });
      },
    });
    const res = await app.request('/distribution/s3/distributesync', form());
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Job-Id')).toBe('1000');
    expect(await res.json()).toEqual({
      error: { code: 'SOURCE_NOT_FOUND', message: 'source answered 404', jobId: '1000' },
    });
  });

  it('carries the job id when no reply came in time', async () => {
    const { app } = harness({ syncTimeoutMs: 50 });
    const res = await app.request('/distribution/s3/distributesync', form());
    expect(res.status).toBe(504);
    expect(res.headers.get('X-Job-Id')).toBe('1000');
    expect(await res.json()).toMatchObject({ error: { code: 'REPLY_TIMEOUT', jobId: '1000' } });
  });

  it('carries the job id when the broker refused the command after the job was recorded', async () => {
    const { app } = harness({ sendError: new AppError('BROKER_UNAVAILABLE', 'broker down') });
    const res = await app.request('/distribution/s3/distributesync', form());
    expect(res.status).toBe(503);
    expect(res.headers.get('X-Job-Id')).toBe('1000');
    expect(await res.json()).toMatchObject({
      error: { code: 'BROKER_UNAVAILABLE', jobId: '1000' },
    });
  });

  it('names no job when the request was refused before one was created', async () => {
    const { app } = harness();
    const init = form();
    init.body = 'channelId=x';
    const res = await app.request('/distribution/s3/distributesync', init);
    expect(res.status).toBe(400);
    expect(res.headers.get('X-Job-Id')).toBeNull();
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error.code).toBe('INVALID_INPUT');
    expect(body.error).not.toHaveProperty('jobId');
  });
});
