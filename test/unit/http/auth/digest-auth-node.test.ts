import { createHash } from 'node:crypto';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestAuth, type DigestAuthEnv } from '../../../../src/http/auth/digest-auth.js';

// Over a real socket: what Opencast's Apache client sees, reason phrase included.
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
let now = 1_700_000_000_000;
let server: Server;
let base: string;

interface Reply {
  status: number;
  reason: string;
  challenge: string;
  body: string;
}

function call(method: string, url: string, headers: Record<string, string>, body?: string) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? '',
          challenge: res.headers['www-authenticate'] ?? '',
          body: text,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opencast's TrustedHttpClientImpl for a POST: probe, then RFC 2069 on the absolute URI. */
async function opencastPost(url: string, body: string): Promise<Reply> {
  const probe = await call('POST', url, { 'X-Requested-Auth': 'Digest' });
  const nonce = /nonce="([^"]+)"/.exec(probe.challenge)?.[1] ?? '';
  const ha1 = md5('opencast_system_account:Opencast:CHANGE_ME');
  const response = md5(`${ha1}:${nonce}:${md5(`POST:${url}`)}`);
  return call(
    'POST',
    url,
    {
      'X-Requested-Auth': 'Digest',
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization:
        `Digest username="opencast_system_account", realm="Opencast", nonce="${nonce}", ` +
        `uri="${url}", response="${response}", algorithm=MD5`,
    },
    body,
  );
}

beforeAll(async () => {
  const app = new Hono<DigestAuthEnv>();
  app.use(
    '*',
    digestAuth({
      users: new Map([['opencast_system_account', 'CHANGE_ME']]),
      clock: () => now,
    }),
  );
  app.post('/distribution/s3', async (c) => c.text(`${c.get('user')}:${await c.req.text()}`));
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => {
    server.close((err) => {
      if (err === undefined) resolve();
      else reject(err);
    });
  });
});

describe('digestAuth behind @hono/node-server', () => {
  it('answers the probe with 401 Unauthorized and a Digest challenge', async () => {
    const reply = await call('POST', `${base}/distribution/s3`, { 'X-Requested-Auth': 'Digest' });
    expect(reply).toMatchObject({ status: 401, reason: 'Unauthorized' });
    expect(reply.challenge).toMatch(/^Digest realm="Opencast", qop="auth", nonce="[\w-]{48}"$/);
  });

  it('accepts the two-step POST Opencast makes', async () => {
    const reply = await opencastPost(`${base}/distribution/s3`, 'channelId=engage-player');
    expect(reply).toMatchObject({
      status: 200,
      body: 'opencast_system_account:channelId=engage-player',
    });
  });

  it('sends the exact reason phrase Opencast retries on when the nonce expired', async () => {
    const url = `${base}/distribution/s3`;
    const probe = await call('POST', url, {});
    const nonce = /nonce="([^"]+)"/.exec(probe.challenge)?.[1] ?? '';
    now += 301_000;
    const ha1 = md5('opencast_system_account:Opencast:CHANGE_ME');
    const response = md5(`${ha1}:${nonce}:${md5(`POST:${url}`)}`);
    const reply = await call('POST', url, {
      Authorization: `Digest username="opencast_system_account", realm="Opencast", nonce="${nonce}", uri="${url}", response="${response}"`,
    });
    expect(reply).toMatchObject({ status: 401, reason: 'Nonce has expired/timed out' });
    expect(reply.challenge).toMatch(/, stale=true$/);
    // The next refusal on the same connection pool goes back to the standard phrase.
    const plain = await call('POST', url, {});
    expect(plain.reason).toBe('Unauthorized');
  });
});
