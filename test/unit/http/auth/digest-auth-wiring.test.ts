import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { describe, expect, it } from 'vitest';
import { authenticatedUser, digestAuth } from '../../../../src/http/auth/digest-auth.js';
import { isHealthOrHeartbeat } from '../../../../src/http/auth/digest-exempt.js';

// The shape createApp has: a plain Hono app, a body limit, sub-apps per resource.
function shapedLikeCreateApp() {
  let bodyRead = false;
  const app = new Hono({ strict: false });
  app.use(
    '*',
    digestAuth({
      users: new Map([['opencast_system_account', 'CHANGE_ME']]),
      exempt: isHealthOrHeartbeat,
    }),
  );
  app.use('/distribution/*', bodyLimit({ maxSize: 10 }));
  const distribution = new Hono();
  distribution.post('/', async (c) => {
    bodyRead = true;
    return c.text(`${String(authenticatedUser(c))} ${await c.req.text()}`);
  });
  // Hono answers HEAD with the GET handler.
  distribution.get('/dispatch', (c) => c.body(null, 200));
  app.route('/distribution/s3', distribution);
  app.get('/health', (c) => c.json({ status: 'ok' }));
  return { app, wasBodyRead: () => bodyRead };
}

describe('digestAuth wired in front of createApp-style routes', () => {
  it('challenges the probe before the body limit or any route runs', async () => {
    const { app, wasBodyRead } = shapedLikeCreateApp();
    const res = await app.request('/distribution/s3', {
      method: 'POST',
      headers: { 'X-Requested-Auth': 'Digest', 'Content-Length': '100000' },
    });
    expect(res.status).toBe(401);
    expect(wasBodyRead()).toBe(false);
  });

  it('hands the user to a route in a plain sub-app', async () => {
    const { app } = shapedLikeCreateApp();
    const probe = await app.request('/distribution/s3', { method: 'POST' });
    const nonce = /nonce="([^"]+)"/.exec(probe.headers.get('WWW-Authenticate') ?? '')?.[1] ?? '';
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const ha1 = md5('opencast_system_account:Opencast:CHANGE_ME');
    const response = md5(`${ha1}:${nonce}:${md5('POST:/distribution/s3')}`);
    const res = await app.request('/distribution/s3', {
      method: 'POST',
      headers: {
        Authorization: `Digest username="opencast_system_account", realm="Opencast", nonce="${nonce}", uri="/distribution/s3", response="${response}", algorithm=MD5`,
      },
      body: 'a=1',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('opencast_system_account a=1');
  });

  it('leaves the heartbeat and health checks open', async () => {
    const { app } = shapedLikeCreateApp();
    expect((await app.request('/distribution/s3/dispatch', { method: 'HEAD' })).status).toBe(200);
    expect((await app.request('/health')).status).toBe(200);
  });
});
