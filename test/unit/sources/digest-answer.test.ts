import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { authenticatedUser, digestAuth } from '../../../src/http/auth/digest-auth.js';
import type { QopMode } from '../../../src/http/auth/digest-directives.js';
import { answerDigestHeader } from '../../../src/sources/digest-auth.js';

const USER = 'opencast_system_account';
const PASSWORD = 'CHANGE_ME';

// The client answers the server's own challenges: both sides share src/digest/.
function guarded(qop: QopMode) {
  const app = new Hono();
  app.use('*', digestAuth({ users: new Map([[USER, PASSWORD]]), qop }));
  app.on(['POST', 'PUT'], '/services/*', (c) => c.text(`${c.req.method} ${authenticatedUser(c)}`));
  return app;
}

async function call(qop: QopMode, method: string, path: string, password = PASSWORD) {
  const app = guarded(qop);
  const probe = await app.request(path, { method, headers: { 'X-Requested-Auth': 'Digest' } });
  expect(probe.status).toBe(401);
  const authorization = answerDigestHeader(probe.headers.get('WWW-Authenticate'), {
    username: USER,
    password,
    method,
    uri: path,
  });
  expect(authorization).toBeDefined();
  return app.request(path, { method, headers: { Authorization: authorization! } });
}

describe('answerDigestHeader', () => {
  it.each([
    ['both', 'POST', '/services/register'],
    ['auth', 'PUT', '/services/maintenance?host=a%20b'],
    ['none', 'POST', '/services/unregister'],
  ] as const)('answers a %s challenge for %s %s', async (qop, method, path) => {
    const res = await call(qop, method, path);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`${method} ${USER}`);
  });

  it('computes an answer the server refuses when the password is wrong', async () => {
    expect((await call('both', 'POST', '/services/register', 'wrong')).status).toBe(401);
  });

  it('is bound to the method it was computed for', async () => {
    const app = guarded('both');
    const probe = await app.request('/services/x', { method: 'POST' });
    const authorization = answerDigestHeader(probe.headers.get('WWW-Authenticate'), {
      username: USER,
      password: PASSWORD,
      method: 'PUT',
      uri: '/services/x',
    });
    const res = await app.request('/services/x', {
      method: 'POST',
      headers: { Authorization: authorization! },
    });
    expect(res.status).toBe(401);
  });

  it.each([null, '', 'Basic realm="x"', 'Digest realm="x", qop="auth-int", nonce="n"'])(
    'answers nothing to %j',
    (header) => {
      const answer = { username: USER, password: PASSWORD, method: 'POST', uri: '/' };
      expect(answerDigestHeader(header, answer)).toBeUndefined();
    },
  );
});
