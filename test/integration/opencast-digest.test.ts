/**
 * Opencast's inter-node call as TrustedHttpClientImpl makes it (wire spec §4.5): a body-less
 * probe, a 401 Digest challenge, then the real form POST with an RFC 2069 digest (no qop)
 * whose uri is the full request URL, all against the running service.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postForm } from '../helpers/http.js';
import { startTestStack, type TestStack } from '../helpers/service.js';

const USER = 'opencast_system_account';
const PASSWORD = 'CHANGE_ME';
let stack: TestStack | undefined;

function live(): TestStack {
  if (stack === undefined) throw new Error('stack did not start');
  return stack;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** The Authorization header Apache's DigestScheme writes without qop (RFC 2069). */
function rfc2069(method: string, uri: string, realm: string, nonce: string, password = PASSWORD) {
  const response = md5(
    `${md5(`${USER}:${realm}:${password}`)}:${nonce}:${md5(`${method}:${uri}`)}`,
  );
  return `Digest username="${USER}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=MD5`;
}

async function probe(url: string): Promise<{ realm: string; nonce: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'X-Requested-Auth': 'Digest' } });
  expect(res.status).toBe(401);
  const challenge = res.headers.get('WWW-Authenticate') ?? '';
  const realm = /realm="([^"]*)"/.exec(challenge)?.[1] ?? '';
  const nonce = /nonce="([^"]*)"/.exec(challenge)?.[1] ?? '';
  return { realm, nonce };
}

function post(url: string, authorization: string): Promise<Response> {
  const mediapackage =
    '<mediapackage xmlns="http://mediapackage.opencastproject.org" id="digest-mp"><metadata>' +
    `<catalog id="c1" type="dublincore/episode"><mimetype>text/xml</mimetype>` +
    `<url>${live().sources.baseUrl}c1.xml</url></catalog></metadata></mediapackage>`;
  return postForm(
    url,
    { channelId: 'engage-player', mediapackage, elementId: '["c1"]', checkAvailability: 'false' },
    { headers: { 'X-Requested-Auth': 'Digest', Authorization: authorization } },
  );
}

beforeAll(async () => {
  stack = await startTestStack({ AUTH_DIGEST_USER: USER, AUTH_DIGEST_PASSWORD: PASSWORD });
  stack.sources.set('c1.xml', '<c1/>');
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

describe("Opencast's Digest handshake", () => {
  it('probe, challenge, RFC 2069 POST -> 200 job XML with the digest user as creator', async () => {
    const url = `${live().url}/distribution/s3`;
    const { realm, nonce } = await probe(url);
    expect(realm).toBe('Opencast');
    const res = await post(url, rfc2069('POST', url, realm, nonce));
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).toContain('status="QUEUED"');
    expect(xml).toContain(`<creator>${USER}</creator>`);
  });

  it('refuses a wrong password and a replayed nonce with a fresh challenge', async () => {
    const url = `${live().url}/distribution/s3/distributesync`;
    const first = await probe(url);
    const wrong = await post(url, rfc2069('POST', url, first.realm, first.nonce, 'wrong'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('WWW-Authenticate')).toMatch(/^Digest realm="Opencast"/);

    const second = await probe(url);
    const header = rfc2069('POST', url, second.realm, second.nonce);
    expect((await post(url, header)).status).toBe(200);
    expect((await post(url, header)).status).toBe(401);
  });
});
