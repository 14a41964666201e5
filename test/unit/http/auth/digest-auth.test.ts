import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../../src/errors.js';
import {
  authenticatedUser,
  digestAuth,
  type DigestAuthEnv,
  type DigestAuthOptions,
} from '../../../../src/http/auth/digest-auth.js';
import { isHealthOrHeartbeat } from '../../../../src/http/auth/digest-exempt.js';
import type { DigestRejectReason } from '../../../../src/http/auth/digest-verdict.js';

// The client side is written here from RFC 2069/2617/7616, independently of src/.
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

interface Credential {
  user?: string;
  password?: string;
  realm?: string;
  method?: string;
  uri: string;
  nonce: string;
  qop?: { nc: string; cnonce: string };
  algorithm?: 'MD5' | 'MD5-sess' | 'SHA-256';
}

/** An `Authorization` value in the shape Apache HttpClient's DigestScheme writes. */
function authorization(c: Credential): string {
  const user = c.user ?? 'opencast_system_account';
  const realm = c.realm ?? 'Opencast';
  const method = c.method ?? 'POST';
  const algorithm = c.algorithm ?? 'MD5';
  const h = algorithm === 'SHA-256' ? sha256 : md5;
  let ha1 = h(`${user}:${realm}:${c.password ?? 'CHANGE_ME'}`);
  if (algorithm === 'MD5-sess') ha1 = h(`${ha1}:${c.nonce}:${c.qop?.cnonce ?? ''}`);
  const ha2 = h(`${method}:${c.uri}`);
  const response =
    c.qop === undefined
      ? h(`${ha1}:${c.nonce}:${ha2}`)
      : h(`${ha1}:${c.nonce}:${c.qop.nc}:${c.qop.cnonce}:auth:${ha2}`);
  const qop = c.qop === undefined ? '' : `, qop=auth, nc=${c.qop.nc}, cnonce="${c.qop.cnonce}"`;
  return (
    `Digest username="${user}", realm="${realm}", nonce="${c.nonce}", uri="${c.uri}", ` +
    `response="${response}"${qop}, algorithm=${algorithm}`
  );
}

/** The directives of a challenge, read the way a simple client would. */
function challengeOf(res: Response): Record<string, string> {
  const header = res.headers.get('WWW-Authenticate') ?? '';
  expect(header).toMatch(/^Digest realm="/);
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)) {
    out[m[1]!] = m[2] ?? m[3]!;
  }
  return out;
}

const PATH = '/distribution/s3/distribute';
let now = 1_700_000_000_000;
let handled: string[] = [];
let rejected: DigestRejectReason[] = [];

function appWith(options: Partial<DigestAuthOptions> = {}) {
  const app = new Hono<DigestAuthEnv>();
  app.use(
    '*',
    digestAuth({
      users: new Map([['opencast_system_account', 'CHANGE_ME']]),
      clock: () => now,
      secret: Buffer.alloc(32, 7),
      exempt: isHealthOrHeartbeat,
      onReject: (reason) => rejected.push(reason),
      ...options,
    }),
  );
  app.all('*', (c) => {
    handled.push(c.get('user'));
    return c.text(`hello ${String(authenticatedUser(c))}`);
  });
  return app;
}

async function probe(app: Hono<DigestAuthEnv>, path = PATH, method = 'POST') {
  const res = await app.request(path, { method, headers: { 'X-Requested-Auth': 'Digest' } });
  expect(res.status).toBe(401);
  return challengeOf(res).nonce!;
}

function send(app: Hono<DigestAuthEnv>, auth: string, path = PATH, method = 'POST') {
  const body = method === 'GET' || method === 'HEAD' ? null : 'x=1';
  return app.request(path, { method, headers: { Authorization: auth }, body });
}

beforeEach(() => {
  now = 1_700_000_000_000;
  handled = [];
  rejected = [];
});

describe('digestAuth: the challenge', () => {
  it('answers the body-less probe with 401 and a challenge, without calling the handler', async () => {
    const res = await appWith().request(PATH, {
      method: 'POST',
      headers: { 'X-Requested-Auth': 'Digest' },
    });
    expect(res.status).toBe(401);
    expect(res.statusText).toBe('Unauthorized');
    expect(res.headers.get('Content-Type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('Unauthorized\n');
    expect(challengeOf(res)).toMatchObject({ realm: 'Opencast', qop: 'auth' });
    expect(challengeOf(res).nonce).toMatch(/^[\w-]{48}$/);
    expect(challengeOf(res).stale).toBeUndefined();
    expect(handled).toEqual([]);
    expect(rejected).toEqual(['missing']);
  });

  it('puts realm first, as Opencast reads the header element named "Digest realm"', async () => {
    const res = await appWith().request(PATH, { method: 'POST' });
    const elements = (res.headers.get('WWW-Authenticate') ?? '').split(', ');
    expect(elements[0]).toBe('Digest realm="Opencast"');
    expect(elements.some((e) => /^nonce="[\w-]+"$/.test(e))).toBe(true);
  });

  it('gives a new nonce to every challenge', async () => {
    const app = appWith();
    expect(await probe(app)).not.toBe(await probe(app));
  });

  it('offers no qop in mode none, and a configured realm', async () => {
    const res = await appWith({ qop: 'none', realm: 'Other' }).request(PATH);
    expect(challengeOf(res)).toMatchObject({ realm: 'Other' });
    expect(challengeOf(res).qop).toBeUndefined();
  });

  it.each([
    ['GET', '/health'],
    ['HEAD', '/health/'],
    ['GET', '/ready'],
    ['HEAD', '/distribution/s3/dispatch'],
  ])('lets the exempt %s %s through unauthenticated', async (method, path) => {
    const res = await appWith().request(path, { method });
    expect(res.status).toBe(200);
    expect(handled).toEqual([undefined]);
  });

  it.each([
    ['POST', '/distribution/s3/dispatch'],
    ['GET', '/distribution/s3/dispatch'],
    ['POST', '/health'],
    ['GET', '/healthz'],
    ['GET', '/distribution/s3/health'],
  ])('guards %s %s', async (method, path) => {
    const res = await appWith().request(path, { method });
    expect(res.status).toBe(401);
    expect(handled).toEqual([]);
  });

  it('refuses bad options at construction', () => {
    const users = new Map<string, string>();
    expect(() => digestAuth({ users, realm: 'a"b' })).toThrow(AppError);
    expect(() => digestAuth({ users, nonceTtlMs: 0 })).toThrow(AppError);
    expect(() => digestAuth({ users, secret: Buffer.alloc(8) })).toThrow(AppError);
    expect(() => digestAuth({ users, maxTrackedNonces: 0 })).toThrow(AppError);
  });
});

describe('digestAuth: RFC 2069 (how Opencast POSTs)', () => {
  it('accepts a response computed on the path, and sets the user', async () => {
    const app = appWith();
    const nonce = await probe(app);
    const res = await send(app, authorization({ uri: PATH, nonce }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello opencast_system_account');
    expect(handled).toEqual(['opencast_system_account']);
  });

  it('accepts the absolute URI Apache DigestScheme sends when called directly', async () => {
    const app = appWith();
    const nonce = await probe(app);
    const uri = `http://localhost${PATH}`;
    expect((await send(app, authorization({ uri, nonce }))).status).toBe(200);
  });

  it('compares the query string too', async () => {
    const app = appWith();
    const path = `${PATH}?a=1&b=2`;
    const ok = await send(app, authorization({ uri: path, nonce: await probe(app) }), path);
    expect(ok.status).toBe(200);
    const noQuery = await send(app, authorization({ uri: PATH, nonce: await probe(app) }), path);
    expect(noQuery.status).toBe(401);
    expect(rejected.at(-1)).toBe('uri');
  });

  it('accepts each nonce only once', async () => {
    const app = appWith();
    const auth = authorization({ uri: PATH, nonce: await probe(app) });
    expect((await send(app, auth)).status).toBe(200);
    const again = await send(app, auth);
    expect(again.status).toBe(401);
    expect(challengeOf(again).stale).toBe('true');
    expect(rejected.at(-1)).toBe('replayed');
    expect(handled).toHaveLength(1);
  });

  it('reads a non-ASCII username as the UTF-8 bytes it was sent as', async () => {
    const app = appWith({ users: new Map([['jürgen', 'pässword']]) });
    const auth = authorization({
      user: 'jürgen',
      password: 'pässword',
      uri: PATH,
      nonce: await probe(app),
    });
    // On the wire the header carries UTF-8 bytes, which arrive as one code unit per byte.
    const wire = Buffer.from(auth, 'utf8').toString('latin1');
    const res = await send(app, wire);
    expect(res.status).toBe(200);
    expect(handled).toEqual(['jürgen']);
  });

  it('uses the request method in HA2', async () => {
    const app = appWith();
    const nonce = await probe(app, PATH, 'PUT');
    const res = await send(app, authorization({ uri: PATH, nonce, method: 'POST' }), PATH, 'PUT');
    expect(res.status).toBe(401);
    const put = authorization({ uri: PATH, nonce: await probe(app), method: 'PUT' });
    expect((await send(app, put, PATH, 'PUT')).status).toBe(200);
  });

  it('is refused when the mode requires qop', async () => {
    const app = appWith({ qop: 'auth' });
    const res = await send(app, authorization({ uri: PATH, nonce: await probe(app) }));
    expect(res.status).toBe(401);
    expect(rejected.at(-1)).toBe('qop');
  });
});

describe('digestAuth: qop=auth (RFC 2617/7616)', () => {
  const qop = (nc: string) => ({ nc, cnonce: '0a4f113b' });

  it('accepts increasing nonce counts and refuses a replayed or lower one', async () => {
    const app = appWith();
    const nonce = await probe(app, PATH, 'GET');
    const get = (nc: string) =>
      send(app, authorization({ uri: PATH, nonce, method: 'GET', qop: qop(nc) }), PATH, 'GET');
    expect((await get('00000001')).status).toBe(200);
    expect((await get('00000002')).status).toBe(200);
    const replay = await get('00000002');
    expect(replay.status).toBe(401);
    expect(challengeOf(replay).stale).toBe('true');
    expect((await get('00000001')).status).toBe(401);
    expect((await get('0000000A')).status).toBe(200);
    expect(handled).toHaveLength(3);
  });

  it('does not reuse a nonce spent in RFC 2069 form', async () => {
    const app = appWith();
    const nonce = await probe(app);
    expect((await send(app, authorization({ uri: PATH, nonce }))).status).toBe(200);
    const res = await send(app, authorization({ uri: PATH, nonce, qop: qop('00000005') }));
    expect(res.status).toBe(401);
  });

  it.each(['MD5-sess', 'SHA-256'] as const)('accepts algorithm %s', async (algorithm) => {
    const app = appWith();
    const nonce = await probe(app);
    const good = authorization({ uri: PATH, nonce, algorithm, qop: qop('00000001') });
    expect((await send(app, good)).status).toBe(200);
  });

  it('refuses a response whose nc or cnonce was changed after hashing', async () => {
    const app = appWith();
    const good = authorization({ uri: PATH, nonce: await probe(app), qop: qop('00000001') });
    expect((await send(app, good.replace('nc=00000001', 'nc=00000002'))).status).toBe(401);
    expect((await send(app, good.replace('0a4f113b', '0a4f113c'))).status).toBe(401);
    expect(rejected).toEqual(['missing', 'credentials', 'credentials']);
  });

  it('is refused when the mode offers none', async () => {
    const app = appWith({ qop: 'none' });
    const res = await send(
      app,
      authorization({ uri: PATH, nonce: await probe(app), qop: qop('00000001') }),
    );
    expect(res.status).toBe(401);
    expect(rejected.at(-1)).toBe('qop');
  });

  it('matches the RFC 2617 example with the client used in these tests', () => {
    const header = authorization({
      user: 'Mufasa',
      realm: 'testrealm@host.com',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      qop: { nc: '00000001', cnonce: '0a4f113b' },
    });
    expect(header).toContain('response="6629fae49393a05397450978507c4ef1"');
  });
});

describe('digestAuth: refusals', () => {
  it.each([
    ['wrong password', { password: 'nope' }, 'credentials'],
    ['unknown user', { user: 'mallory' }, 'credentials'],
    ['wrong uri', { uri: '/distribution/s3/retract' }, 'uri'],
    ['other realm', { realm: 'Elsewhere' }, 'realm'],
  ] as const)('refuses a %s without stale', async (_name, change, reason) => {
    const app = appWith();
    const res = await send(app, authorization({ uri: PATH, nonce: await probe(app), ...change }));
    expect(res.status).toBe(401);
    expect(challengeOf(res).stale).toBeUndefined();
    expect(res.statusText).toBe('Unauthorized');
    expect(rejected.at(-1)).toBe(reason);
    expect(handled).toEqual([]);
  });

  it('consults the lookup for unknown users too (same path as a wrong password)', async () => {
    const asked: string[] = [];
    const app = appWith({
      users: (name) => {
        asked.push(name);
        return Promise.resolve(name === 'svc' ? 'pw' : undefined);
      },
    });
    const bad = authorization({ user: 'nobody', uri: PATH, nonce: await probe(app) });
    expect((await send(app, bad)).status).toBe(401);
    const good = authorization({ user: 'svc', password: 'pw', uri: PATH, nonce: await probe(app) });
    expect((await send(app, good)).status).toBe(200);
    expect(asked).toEqual(['nobody', 'svc']);
    expect(handled).toEqual(['svc']);
  });

  it('refuses a tampered nonce and one signed with another secret', async () => {
    const app = appWith();
    const nonce = await probe(app);
    const tampered = nonce.slice(0, 10) + (nonce.charAt(10) === 'A' ? 'B' : 'A') + nonce.slice(11);
    expect((await send(app, authorization({ uri: PATH, nonce: tampered }))).status).toBe(401);
    const foreign = await probe(appWith({ secret: Buffer.alloc(32, 8) }));
    expect((await send(app, authorization({ uri: PATH, nonce: foreign }))).status).toBe(401);
    expect(rejected.filter((r) => r === 'nonce')).toHaveLength(2);
  });

  it('answers an expired nonce with stale=true and Opencast reason phrase', async () => {
    const app = appWith();
    const nonce = await probe(app);
    now += 300_001;
    const res = await send(app, authorization({ uri: PATH, nonce }));
    expect(res.status).toBe(401);
    expect(res.statusText).toBe('Nonce has expired/timed out');
    const challenge = challengeOf(res);
    expect(challenge.stale).toBe('true');
    expect(challenge.nonce).not.toBe(nonce);
    expect(rejected.at(-1)).toBe('expired');
    // The fresh nonce works.
    const retry = await send(app, authorization({ uri: PATH, nonce: challenge.nonce! }));
    expect(retry.status).toBe(200);
  });

  it('accepts a nonce right up to its TTL', async () => {
    const app = appWith();
    const nonce = await probe(app);
    now += 300_000;
    expect((await send(app, authorization({ uri: PATH, nonce }))).status).toBe(200);
  });

  it('says stale only to a client whose credentials are right', async () => {
    const app = appWith();
    const nonce = await probe(app);
    now += 400_000;
    const res = await send(app, authorization({ uri: PATH, nonce, password: 'bad' }));
    expect(res.status).toBe(401);
    expect(challengeOf(res).stale).toBeUndefined();
  });

  it('refuses a nonce from the future (another clock)', async () => {
    const app = appWith();
    now += 60_000;
    const nonce = await probe(app);
    now -= 60_000;
    expect((await send(app, authorization({ uri: PATH, nonce }))).status).toBe(401);
    expect(rejected.at(-1)).toBe('nonce');
  });
});

describe('digestAuth: hostile headers never get past 401', () => {
  const valid = async (app: Hono<DigestAuthEnv>) =>
    authorization({ uri: PATH, nonce: await probe(app) });
  const cases: [string, (good: string) => string, DigestRejectReason][] = [
    ['bare scheme', () => 'Digest', 'malformed'],
    ['scheme and space', () => 'Digest    ', 'malformed'],
    ['other scheme', () => 'Bearer abc.def', 'scheme'],
    ['basic while disabled', () => 'Basic b3BlbmNhc3Rfc3lzdGVtX2FjY291bnQ6Q0hBTkdFX01F', 'scheme'],
    ['no value', () => 'Digest username', 'malformed'],
    ['unterminated quote', (g) => `${g}, x="abc`, 'malformed'],
    ['duplicate param', (g) => `${g}, username="opencast_system_account"`, 'malformed'],
    ['duplicate in other case', (g) => `${g}, NONCE="x"`, 'malformed'],
    ['empty element', (g) => g.replace(', uri', ',, uri'), 'malformed'],
    ['trailing comma', (g) => `${g},`, 'malformed'],
    ['junk after value', (g) => g.replace('algorithm=MD5', 'algorithm=MD5 junk'), 'malformed'],
    ['missing response', (g) => g.replace(/response="\w+", /, ''), 'malformed'],
    ['missing uri', (g) => g.replace(/uri="[^"]+", /, ''), 'malformed'],
    ['short response', (g) => g.replace(/response="\w+"/, 'response="abc"'), 'malformed'],
    [
      'non-hex response',
      (g) => g.replace(/response="\w{32}"/, `response="${'z'.repeat(32)}"`),
      'malformed',
    ],
    ['unknown algorithm', (g) => g.replace('algorithm=MD5', 'algorithm=SHA-512'), 'unsupported'],
    [
      'prototype algorithm',
      (g) => g.replace('algorithm=MD5', 'algorithm=constructor'),
      'unsupported',
    ],
    [
      'SHA-256 length for MD5',
      (g) => g.replace(/response="(\w{32})"/, 'response="$1$1"'),
      'malformed',
    ],
    ['qop auth-int', (g) => `${g}, qop=auth-int, nc=00000001, cnonce="a"`, 'unsupported'],
    ['qop without nc', (g) => `${g}, qop=auth, cnonce="a"`, 'malformed'],
    ['qop with zero nc', (g) => `${g}, qop=auth, nc=00000000, cnonce="a"`, 'malformed'],
    ['qop with non-hex nc', (g) => `${g}, qop=auth, nc=0000000g, cnonce="a"`, 'malformed'],
    ['qop with empty cnonce', (g) => `${g}, qop=auth, nc=00000001, cnonce=""`, 'malformed'],
    ['nc without qop', (g) => `${g}, nc=00000001`, 'malformed'],
    ['sess without cnonce', (g) => g.replace('algorithm=MD5', 'algorithm=MD5-sess'), 'malformed'],
    ['userhash', (g) => `${g}, userhash=true`, 'unsupported'],
    ['extended username', (g) => `${g}, username*=UTF-8''x`, 'unsupported'],
    ['uri *', (g) => g.replace(/uri="[^"]+"/, 'uri="*"'), 'uri'],
    ['protocol-relative uri', (g) => g.replace(/uri="[^"]+"/, `uri="//evil${PATH}"`), 'uri'],
    ['over 4 KiB', (g) => `${g}, pad="${'a'.repeat(4096)}"`, 'malformed'],
    ['huge nonce', (g) => g.replace(/nonce="[^"]+"/, `nonce="${'A'.repeat(3000)}"`), 'nonce'],
    ['DEL in a name', (g) => g.replace('username=', 'user\x7fname='), 'malformed'],
    ['control character in a value', (g) => g.replace('username="', 'username="\x01'), 'malformed'],
    ['latin1 junk', () => 'Digest ÿÿÿ="ÿ"', 'malformed'],
  ];

  it.each(cases)('%s', async (_name, mutate, reason) => {
    const app = appWith();
    const res = await send(app, mutate(await valid(app)));
    expect(rejected.at(-1)).toBe(reason);
    expect(res.status).toBe(401);
    expect(challengeOf(res).nonce).toBeDefined();
    expect(handled).toEqual([]);
  });

  it('still accepts the unmutated header (the cases above are not vacuous)', async () => {
    const app = appWith();
    expect((await send(app, await valid(app))).status).toBe(200);
  });

  it('accepts the scheme in any case and escaped quoted-strings', async () => {
    const app = appWith();
    const auth = (await valid(app))
      .replace('Digest', 'dIGEST')
      .replace('realm="Opencast"', 'realm="Open\\cast"');
    expect((await send(app, auth)).status).toBe(200);
  });
});

describe('digestAuth: Basic opt-in', () => {
  const basic = (user: string, password: string) =>
    `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  it('advertises Basic after Digest and accepts it', async () => {
    const app = appWith({ allowBasic: true });
    const challenge = await app.request(PATH);
    expect(challenge.headers.get('WWW-Authenticate')).toMatch(
      /^Digest realm="Opencast".*, Basic realm="Opencast"/,
    );
    const ok = await send(app, basic('opencast_system_account', 'CHANGE_ME'));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('hello opencast_system_account');
  });

  it.each([
    ['wrong password', basic('opencast_system_account', 'x')],
    ['unknown user', basic('x', 'CHANGE_ME')],
    ['no colon', `Basic ${Buffer.from('justuser').toString('base64')}`],
    ['not base64', 'Basic !!!!'],
    ['bad padding', 'Basic abc'],
  ])('refuses %s', async (_name, header) => {
    const res = await send(appWith({ allowBasic: true }), header);
    expect(res.status).toBe(401);
    expect(handled).toEqual([]);
  });
});
