/**
 * The HTTP side of Opencast mode through `app.request()`: role checks on organization and
 * user switching, the heartbeat, and dispatch, with fakes behind the routes.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { createApp, type AppDeps } from '../../../src/http/app.js';
import { contextSwitchRefusal } from '../../../src/http/auth/context-roles.js';
import type { DispatchResult } from '../../../src/http/dispatch-routes.js';
import type { Job } from '../../../src/opencast/model.js';
import { testJobService } from '../../helpers/app-harness.js';

const MP = '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="mp"/>';
const USERS = new Map([
  ['system', 'pw'],
  ['editor', 'pw'],
  ['orgadmin', 'pw'],
]);
const ROLES = new Map([
  ['system', new Set(['ROLE_ADMIN', 'ROLE_SUDO'])],
  ['orgadmin', new Set(['ROLE_ADMIN'])],
]);

function harness(overrides: Partial<AppDeps> = {}) {
  const published: string[] = [];
  const jobs = testJobService({ onSend: (command) => published.push(command.type) });
  const app = createApp({
    jobs,
    validate: () => undefined,
    syncTimeoutMs: 1000,
    defaultOrganization: 'mh_default_org',
    readiness: () => Promise.resolve({ ready: true, checks: {} }),
    maxBodyBytes: 1024 * 1024,
    logger: pino({ level: 'silent' }),
    auth: { users: USERS, allowBasic: true },
    roles: ROLES,
    ...overrides,
  });
  return { app, published };
}

function post(user: string, headers: Record<string, string> = {}, fields?: Record<string, string>) {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`,
      ...headers,
    },
    body: new URLSearchParams(
      fields ?? { channelId: 'engage-player', mediapackage: MP, elementId: 'a' },
    ).toString(),
  };
}

const ORG = 'X-Opencast-Matterhorn-Organization';
const USER = 'X-Opencast-Matterhorn-User';

describe('contextSwitchRefusal', () => {
  const ask = (user: string, organization?: string, switchUser?: string) =>
    contextSwitchRefusal(
      { user, organization, switchUser, defaultOrganization: 'mh_default_org' },
      ROLES,
    );

  it('lets ROLE_ADMIN switch the organization and ROLE_SUDO the user', () => {
    expect(ask('system', 'other', 'bob')).toBeUndefined();
    expect(ask('orgadmin', 'other')).toBeUndefined();
    expect(ask('orgadmin', 'other', 'bob')).toContain('ROLE_SUDO');
  });

  it('refuses a switch without the role, and needs none for no switch', () => {
    expect(ask('editor', 'other')).toContain('ROLE_ADMIN');
    expect(ask('editor', undefined, 'bob')).toContain('ROLE_SUDO');
    expect(ask('editor', 'mh_default_org', 'editor')).toBeUndefined();
    expect(ask('editor', ' ', '')).toBeUndefined();
  });
});

describe('organization and user switching over HTTP', () => {
  it('answers 403 FORBIDDEN to a caller without the role and publishes nothing', async () => {
    const { app, published } = harness();
    const org = await app.request('/distribution/s3', post('editor', { [ORG]: 'other' }));
    expect(org.status).toBe(403);
    expect(await org.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const user = await app.request('/distribution/s3', post('orgadmin', { [USER]: 'bob' }));
    expect(user.status).toBe(403);
    expect(published).toHaveLength(0);
  });

  it('lets the system account switch both', async () => {
    const { app, published } = harness();
    const res = await app.request(
      '/distribution/s3',
      post('system', { [ORG]: 'other', [USER]: 'bob' }),
    );
    expect(res.status).toBe(200);
    expect(published).toEqual(['distribute']);
  });
});

describe('the heartbeat and dispatch', () => {
  it('answers the heartbeat 200 while accepting and 503 once not', async () => {
    let accepting = true;
    const { app } = harness({ accepting: () => accepting });
    expect((await app.request('/distribution/s3/dispatch', { method: 'HEAD' })).status).toBe(200);
    accepting = false;
    const res = await app.request('/distribution/s3/dispatch', { method: 'HEAD' });
    expect(res.status).toBe(503);
  });

  it('refuses dispatch with 503 in standalone mode', async () => {
    const { app } = harness();
    const res = await app.request('/distribution/s3/dispatch', post('system', {}, { id: '5' }));
    expect(res.status).toBe(503);
  });

  it('answers 204, 503, 412 and 400 for what the dispatch port says', async () => {
    const seen: string[] = [];
    let result: DispatchResult | Error = { accepted: true };
    let accepting = true;
    const { app } = harness({
      accepting: () => accepting,
      dispatch: (id) => {
        seen.push(id);
        return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
      },
    });
    const dispatch = (id: string) =>
      app.request('/distribution/s3/dispatch', post('system', {}, { id, operation: 'Distribute' }));
    expect((await dispatch('5')).status).toBe(204);
    result = { accepted: false, reason: 'busy' };
    expect((await dispatch('6')).status).toBe(503);
    result = new AppError('JOB_NOT_RUNNABLE', 'bad args');
    expect((await dispatch('7')).status).toBe(412);
    expect((await dispatch('x')).status).toBe(400);
    accepting = false;
    expect((await dispatch('8')).status).toBe(503);
    expect(seen).toEqual(['5', '6', '7']);
  });

  it('creates registry jobs from the async routes in Opencast mode, after validation', async () => {
    const calls: unknown[] = [];
    const job: Job = { id: '77', version: 1, type: 't', status: 'QUEUED', dispatchable: true };
    const { app, published } = harness({
      opencastJobs: (request, forwarded) => {
        calls.push({ parent: request.parentJobId, forwarded });
        return Promise.resolve(job);
      },
      validate: (request) => {
        if (request.elementIds.includes('bad')) throw new AppError('ELEMENT_NOT_FOUND', 'bad');
      },
    });
    const headers = { [ORG]: 'org1', [USER]: 'bob', 'X-Opencast-Matterhorn-Current-Job-Id': '12' };
    const res = await app.request('/distribution/s3/retract', post('system', headers));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<job id="77"');
    expect(calls).toEqual([{ parent: '12', forwarded: { organization: 'org1', user: 'bob' } }]);
    const bad = await app.request(
      '/distribution/s3',
      post('system', {}, { channelId: 'c', mediapackage: MP, elementId: 'bad' }),
    );
    expect(bad.status).toBe(400);
    expect(calls).toHaveLength(1);
    expect(published).toHaveLength(0);
  });
});
