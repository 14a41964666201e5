/**
 * The signed-URL routes through the real app: authentication, the caller's organization,
 * hostile input, and that nothing is signed for a refused request.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  signPublishedUrls,
  type SigningSubject,
  type UrlSigner,
} from '../../../src/distribution/signed-urls.js';
import { createTargetResolver } from '../../../src/distribution/targets.js';
import { createApp } from '../../../src/http/app.js';
import { testJobService } from '../../helpers/app-harness.js';

const BASE = 'http://cdn.test/';
const T2_BASE = 'http://cdn.test/tenant2-bucket/';
const URL_OK = `${BASE}mh_default_org/engage-player/mp-1/track-1/video.mp4`;
const T2_URL = `${T2_BASE}tenant2/engage-player/mp-1/track-1/video.mp4`;
const USERS = new Map([
  ['opencast_system_account', 'system-pass'],
  ['tenant2_user', 'tenant2-pass'],
]);
const ROLES = new Map<string, ReadonlySet<string>>([
  ['opencast_system_account', new Set(['ROLE_ADMIN', 'ROLE_SUDO'])],
]);

function basic(user: string): Record<string, string> {
  const password = USERS.get(user) ?? '';
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

function harness(options: { auth?: boolean; signing?: boolean } = {}) {
  const signed: SigningSubject[] = [];
  const signer: UrlSigner = {
    sign: (subject, terms) => {
      signed.push(subject);
      return Promise.resolve(`${subject.url}?Expires=${terms.expiresAt.getTime() / 1000}`);
    },
  };
  const deps = {
    targets: createTargetResolver(new Map([['tenant2', { bucket: 't2', baseUrl: T2_BASE }]]), {
      bucket: 'b',
      baseUrl: BASE,
    }),
    signer,
    clock: () => new Date('2026-12-05T12:00:00Z'),
    maxValidMs: 3_600_000,
  };
  const app = createApp({
    jobs: testJobService(),
    validate: () => undefined,
    syncTimeoutMs: 5000,
    defaultOrganization: 'mh_default_org',
    readiness: () => Promise.resolve({ ready: true, checks: {} }),
    maxBodyBytes: 64 * 1024,
    logger: pino({ level: 'silent' }),
    auth: options.auth === false ? undefined : { users: USERS, allowBasic: true },
    roles: ROLES,
    signUrls: options.signing === false ? undefined : (r) => signPublishedUrls(deps, r),
  });
  return { app, signed };
}

const get = (query: string, headers: Record<string, string> = basic('tenant2_user')) => ({
  path: `/distribution/s3/signed-url?${query}`,
  init: { headers },
});

async function errorOf(
  response: Response,
): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, ...body.error };
}

describe('GET /distribution/s3/signed-url', () => {
  it('signs a published URL of the caller’s organization, uncacheable', async () => {
    const { app, signed } = harness();
    const { path, init } = get(
      `url=${encodeURIComponent(URL_OK)}&validSeconds=60`,
      basic('opencast_system_account'),
    );
    const res = await app.request(path, init);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(await res.json()).toEqual({
      url: URL_OK,
      signedUrl: `${URL_OK}?Expires=${Date.parse('2026-12-05T12:01:00Z') / 1000}`,
      expiresAt: '2026-12-05T12:01:00.000Z',
    });
    expect(signed).toEqual([
      { bucket: 'b', key: 'mh_default_org/engage-player/mp-1/track-1/video.mp4', url: URL_OK },
    ]);
  });

  it('needs credentials: 401 without, and 403 when the API runs without users', async () => {
    const { app, signed } = harness();
    const res = await app.request(`/distribution/s3/signed-url?url=${encodeURIComponent(URL_OK)}`);
    expect(res.status).toBe(401);
    const open = harness({ auth: false });
    const refused = await errorOf(
      await open.app.request(`/distribution/s3/signed-url?url=${encodeURIComponent(URL_OK)}`),
    );
    expect(refused).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(refused.message).toMatch(/only to authenticated callers/);
    expect([...signed, ...open.signed]).toEqual([]);
  });

  it('answers 404 SIGNING_DISABLED when signing is not configured', async () => {
    const { app } = harness({ signing: false });
    const { path, init } = get(`url=${encodeURIComponent(URL_OK)}`);
    expect(await errorOf(await app.request(path, init))).toMatchObject({
      status: 404,
      code: 'SIGNING_DISABLED',
    });
  });

  it('signs only the organization’s own files; switching needs ROLE_ADMIN', async () => {
    const { app, signed } = harness();
    const tenant2 = { ...basic('tenant2_user'), 'X-Opencast-Matterhorn-Organization': 'tenant2' };
    // tenant2_user has no ROLE_ADMIN: it cannot switch to tenant2, as in Opencast.
    const asTenant2 = get(`url=${encodeURIComponent(T2_URL)}`, tenant2);
    const switched = await app.request(asTenant2.path, asTenant2.init);
    expect(switched.status).toBe(403);
    const admin = {
      ...basic('opencast_system_account'),
      'X-Opencast-Matterhorn-Organization': 'tenant2',
    };
    const ok = await app.request(`/distribution/s3/signed-url?url=${encodeURIComponent(T2_URL)}`, {
      headers: admin,
    });
    expect(ok.status).toBe(200);
    expect(signed.map((s) => s.bucket)).toEqual(['t2']);
    // The default organization's file, asked for as tenant2: not under tenant2's base.
    const foreign = await app.request(
      `/distribution/s3/signed-url?url=${encodeURIComponent(URL_OK)}`,
      { headers: admin },
    );
    expect(await errorOf(foreign)).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
  });

  it.each<[string, string, Record<string, string>?]>([
    ['no url', ''],
    ['two urls', `url=${encodeURIComponent(URL_OK)}&url=${encodeURIComponent(URL_OK)}`],
    ['a foreign url', `url=${encodeURIComponent('https://evil.example.org/a/b/c/d/e')}`],
    ['a traversal', `url=${encodeURIComponent(`${BASE}mh_default_org/x/../../y/z/f`)}`],
    ['a malformed escape', `url=${encodeURIComponent(`${BASE}mh_default_org/a/b/c/%E0%A4%A`)}`],
    ['an oversized url', `url=${encodeURIComponent(URL_OK + 'a'.repeat(9000))}`],
    ['a validity too long', `url=${encodeURIComponent(URL_OK)}&validSeconds=3601`],
    ['two validities', `url=${encodeURIComponent(URL_OK)}&validSeconds=1&validSeconds=2`],
    [
      'a bad organization',
      `url=${encodeURIComponent(URL_OK)}`,
      { 'X-Opencast-Matterhorn-Organization': 'a b' },
    ],
  ])('refuses %s with 400 and signs nothing', async (_name, query, extra = {}) => {
    const { app, signed } = harness();
    const { path, init } = get(query, { ...basic('opencast_system_account'), ...extra });
    expect(await errorOf(await app.request(path, init))).toMatchObject({
      status: 400,
      code: 'INVALID_INPUT',
    });
    expect(signed).toEqual([]);
  });
});

describe('POST /distribution/s3/signed-urls', () => {
  const post = (body: string) => ({
    method: 'POST',
    headers: { ...basic('opencast_system_account'), 'Content-Type': 'application/json' },
    body,
  });

  it('signs several URLs at once', async () => {
    const { app, signed } = harness();
    const other = URL_OK.replace('track-1', 'track-2');
    const res = await app.request(
      '/distribution/s3/signed-urls',
      post(JSON.stringify({ urls: [URL_OK, other], validSeconds: 120 })),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { signedUrls: { url: string; expiresAt: string }[] };
    expect(body.signedUrls.map((s) => s.url)).toEqual([URL_OK, other]);
    expect(body.signedUrls[0]?.expiresAt).toBe('2026-12-05T12:02:00.000Z');
    expect(signed).toHaveLength(2);
  });

  it.each([
    ['not JSON', '{"urls": ['],
    ['no urls', '{}'],
    ['null', 'null'],
    ['urls not strings', '{"urls": [1]}'],
    ['one foreign url', JSON.stringify({ urls: [URL_OK, 'http://cdn.test.evil/x'] })],
    ['too many', JSON.stringify({ urls: Array<string>(101).fill(URL_OK) })],
    ['validity as text', JSON.stringify({ urls: [URL_OK], validSeconds: '60' })],
    ['validity fractional', JSON.stringify({ urls: [URL_OK], validSeconds: 1.5 })],
    ['validity huge', JSON.stringify({ urls: [URL_OK], validSeconds: 1e21 })],
  ])('refuses %s with 400 and signs nothing', async (_name, body) => {
    const { app, signed } = harness();
    const res = await app.request('/distribution/s3/signed-urls', post(body));
    expect(await errorOf(res)).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect(signed).toEqual([]);
  });

  it('refuses a body over the limit with 413', async () => {
    const { app, signed } = harness();
    const res = await app.request(
      '/distribution/s3/signed-urls',
      post(JSON.stringify({ urls: Array<string>(1200).fill(URL_OK) })),
    );
    expect(res.status).toBe(413);
    expect(signed).toEqual([]);
  });
});
