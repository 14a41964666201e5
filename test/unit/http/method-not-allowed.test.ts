import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.js';
import { allowedMethods } from '../../../src/http/method-not-allowed.js';
import { testJobService } from '../../helpers/app-harness.js';

const app = createApp({
  jobs: testJobService({}),
  validate: () => undefined,
  syncTimeoutMs: 100,
  defaultOrganization: 'mh_default_org',
  readiness: () => Promise.resolve({ ready: true, checks: {} }),
  maxBodyBytes: 1024,
  logger: pino({ level: 'silent' }),
});

describe('a wrong method on a known path', () => {
  it.each([
    ['GET', '/distribution/s3/distributesync', 'POST'],
    ['GET', '/distribution/s3', 'POST'],
    ['PUT', '/distribution/s3/', 'POST'],
    ['DELETE', '/jobs/1000', 'GET, HEAD'],
    ['POST', '/jobs/1000.json', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
    ['POST', '/docs.html', 'GET, HEAD'],
    ['DELETE', '/docs/openapi.json', 'GET, HEAD'],
    ['POST', '/distribution/s3/signed-url', 'GET, HEAD'],
    ['GET', '/distribution/s3/signed-urls', 'POST'],
  ])('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
    const res = await app.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe(allow);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.error.message).toBe(
      `${method} is not served at ${path.replace(/(.)\/$/, '$1')}; use ${allow.replace(', ', ' or ')}`,
    );
  });

  it('an unknown path still answers 404, without Allow', async () => {
    for (const path of ['/nope', '/distribution/s3/nope', '/jobs/1/2']) {
      const res = await app.request(path, { method: 'GET' });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('Allow')).toBeNull();
    }
  });
});

describe('allowedMethods', () => {
  const routes = [
    { method: 'ALL', path: '*' },
    { method: 'POST', path: '/a/:id' },
    { method: 'GET', path: '/a/:id' },
    { method: 'GET', path: '/b.c' },
  ];

  it('matches parameters, ignores middleware and a trailing slash, adds HEAD to GET', () => {
    expect(allowedMethods(routes, '/a/7')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(routes, '/a/7/')).toEqual(['GET', 'HEAD', 'POST']);
    expect(allowedMethods(routes, '/a')).toEqual([]);
    expect(allowedMethods(routes, '/a/7/8')).toEqual([]);
  });

  it('takes dots and other pattern characters literally', () => {
    expect(allowedMethods(routes, '/b.c')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(routes, '/bxc')).toEqual([]);
  });
});
