import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SourceFetcher } from '../../../src/distribution/ports.js';
import { AppError } from '../../../src/errors.js';
import { createSourceFetcher } from '../../../src/sources/source-fetcher.js';
import { failure } from '../../helpers/app-error.js';

/** Route handler; its return value is ignored (a promise is awaited for errors). */
type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
let server: Server;
let base: string;
let fetcher: SourceFetcher;

const USER = 'opencast_system_account';
const PASSWORD = 'CHANGE ME: "quoted" & ünïcode';

/** Consumes a stream and returns the error it emitted. */
async function streamFailure(stream: Readable): Promise<AppError> {
  const errors: unknown[] = [];
  stream.on('error', (error) => errors.push(error));
  const error = await failure(buffer(stream));
  expect(errors).toEqual([error]);
  return error;
}

function route(path: string, handler: Handler): string {
  routes.set(path, handler);
  return `${base}${path}`;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const handler = routes.get(path);
    if (handler === undefined) {
      res.writeHead(404).end();
      return;
    }
    void Promise.resolve(handler(req, res)).catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fetcher = createSourceFetcher({
    allowedUrlPrefixes: [`${base}/allowed`],
    sharedStorage: [],
    fileRoots: [],
    credentials: [
      { urlPrefix: `${base}/allowed/auth`, username: USER, password: PASSWORD },
      { urlPrefix: `${base}/allowed/auth/wrong`, username: USER, password: 'wrong' },
      {
        urlPrefix: `${base}/allowed/auth/basic-enabled`,
        username: USER,
        password: PASSWORD,
        schemes: ['basic', 'digest'],
      },
      {
        urlPrefix: `${base}/allowed/auth/basic-over-http`,
        username: USER,
        password: PASSWORD,
        schemes: ['basic', 'digest'],
        allowBasicOverHttp: true,
      },
    ],
    connectTimeoutMs: 500,
    readTimeoutMs: 300,
    maxRedirects: 3,
  });
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  routes.clear();
  hits.clear();
});

describe('http(s) sources', () => {
  it('streams a 200 body byte for byte with its length and type', async () => {
    const data = randomBytes(300_000);
    const url = route('/allowed/a.mp4', (_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': data.length }).end(data);
    });
    const source = await fetcher.open(url);
    expect(source.contentLength).toBe(data.length);
    expect(source.contentType).toBe('video/mp4');
    expect((await buffer(source.body)).equals(data)).toBe(true);
  });

  it('streams a 50 MB body generated on the fly with bounded buffering', async () => {
    const size = 50 * 1024 * 1024;
    const block = randomBytes(64 * 1024);
    const sent = createHash('sha256');
    const url = route('/allowed/big.bin', async (_req, res) => {
      res.writeHead(200, { 'content-length': size });
      for (let i = 0; i < size / block.length; i++) {
        block.writeUInt32BE(i, 0);
        sent.update(block);
        // Copy: the block is changed again before the socket has written it.
        if (!res.write(Buffer.from(block))) await once(res, 'drain');
      }
      res.end();
    });
    // Bounded buffering is the point here, not the read timeout: the suite's 300 ms would
    // fail this long transfer whenever a loaded machine pauses the test process that long.
    const patient = createSourceFetcher({
      allowedUrlPrefixes: [`${base}/allowed`],
      sharedStorage: [],
      fileRoots: [],
      credentials: [],
      connectTimeoutMs: 10_000,
      readTimeoutMs: 30_000,
      maxRedirects: 0,
    });
    const source = await patient.open(url);
    expect(source.contentLength).toBe(size);
    const received = createHash('sha256');
    let total = 0;
    let maxBuffered = 0;
    for await (const chunk of source.body) {
      const bytes = chunk as Buffer;
      total += bytes.length;
      received.update(bytes);
      maxBuffered = Math.max(maxBuffered, source.body.readableLength);
    }
    expect(total).toBe(size);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    // The stream reads ahead by its high-water mark plus one chunk, never the whole body.
    expect(maxBuffered).toBeLessThan(1024 * 1024);
  });

  it.each([
    [404, 'SOURCE_NOT_FOUND', false],
    [410, 'SOURCE_NOT_FOUND', false],
    [403, 'SOURCE_FORBIDDEN', false],
    [400, 'SOURCE_FORBIDDEN', false],
    [429, 'SOURCE_UNAVAILABLE', true],
    [500, 'SOURCE_UNAVAILABLE', true],
    [503, 'SOURCE_UNAVAILABLE', true],
  ])('maps HTTP %i to %s', async (status, code, retryable) => {
    const url = route('/allowed/status', (_req, res) => {
      res.writeHead(status).end('error page');
    });
    expect(await failure(fetcher.open(url))).toMatchObject({ code, retryable });
  });

  it('fails the stream with SOURCE_UNAVAILABLE when the connection resets mid-body', async () => {
    const url = route('/allowed/reset', (_req, res) => {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(randomBytes(64 * 1024), () => {
        setTimeout(() => res.socket?.destroy(), 20);
      });
    });
    const source = await fetcher.open(url);
    const error = await streamFailure(source.body);
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', retryable: true });
    expect(error.message).toMatch(
      /^Reading source ".*\/allowed\/reset" failed: the connection closed before the body ended/,
    );
  });

  it('fails the stream when the server sends nothing for longer than readTimeoutMs', async () => {
    const url = route('/allowed/slow', (_req, res) => {
      res.writeHead(200, { 'content-length': 10 });
      res.write('12345');
    });
    const source = await fetcher.open(url);
    // Without the read timeout this would wait forever (the test timeout fails it).
    const error = await streamFailure(source.body);
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
    expect(error.message).toMatch(/nothing for 300 ms/);
  });

  it('does not time out while the consumer holds the body back longer than readTimeoutMs', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const url = route('/allowed/held-back.bin', (_req, res) => {
      res.writeHead(200, { 'content-length': data.length }).end(data);
    });
    const source = await fetcher.open(url);
    const chunks: Buffer[] = [];
    let paused = false;
    for await (const chunk of source.body) {
      chunks.push(chunk as Buffer);
      if (!paused) {
        // A slow store: nothing is read for twice the read timeout (300 ms).
        paused = true;
        await new Promise((resolve) => setTimeout(resolve, 600));
      }
    }
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('refuses a body in a content coding it cannot decode', async () => {
    const url = route('/allowed/zstd.bin', (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'zstd', 'content-length': 3 }).end('abc');
    });
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', retryable: false });
    expect(error.message).toMatch(/unsupported content coding: zstd/);
  });

  it('gives up when the headers do not come within connectTimeoutMs', async () => {
    const url = route('/allowed/silent', () => undefined);
    // Without the connect timeout this would wait forever (the test timeout fails it).
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', retryable: true });
    expect(error.message).toMatch(/within 500 ms/);
  });

  it('keeps streaming a body that takes longer than connectTimeoutMs', async () => {
    const url = route('/allowed/trickle', async (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 8; i++) {
        res.write('x');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      res.end();
    });
    const source = await fetcher.open(url);
    expect((await buffer(source.body)).toString()).toBe('xxxxxxxx');
  });

  it('maps a refused connection to SOURCE_UNAVAILABLE', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const local = createSourceFetcher({
      allowedUrlPrefixes: [`http://127.0.0.1:${port}/`],
      sharedStorage: [],
      fileRoots: [],
      credentials: [],
      connectTimeoutMs: 500,
      readTimeoutMs: 300,
      maxRedirects: 0,
    });
    const error = await failure(local.open(`http://127.0.0.1:${port}/x`));
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', retryable: true });
    expect(error.message).toMatch(/cannot be reached: .*ECONNREFUSED/);
  });

  it('refuses a URL outside the allow-list without any request', async () => {
    const url = route('/secret', (_req, res) => res.end('secret'));
    expect(() => {
      fetcher.assertAllowed(url);
    }).toThrow(AppError);
    expect(await failure(fetcher.open(url))).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
    expect(hits.get('/secret')).toBeUndefined();
  });

  it('requests an identity encoding, decodes gzip anyway and reports no length', async () => {
    const text = 'hello '.repeat(10_000);
    let acceptEncoding: string | undefined;
    const url = route('/allowed/gzip.vtt', (req, res) => {
      acceptEncoding = req.headers['accept-encoding'];
      const body = gzipSync(text);
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': body.length }).end(body);
    });
    const source = await fetcher.open(url);
    expect(acceptEncoding).toBe('identity');
    expect(source.contentLength).toBeUndefined();
    expect((await buffer(source.body)).toString()).toBe(text);
  });

  it('aborts the request and the stream with the caller signal', async () => {
    const url = route('/allowed/endless', (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('x'), 10);
      res.on('close', () => {
        clearInterval(timer);
      });
    });
    const controller = new AbortController();
    const source = await fetcher.open(url, controller.signal);
    // Mid-body: the headers are in, the body never ends.
    controller.abort(new Error('shutting down'));
    const error = await streamFailure(source.body);
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', cause: new Error('shutting down') });
  });

  it.each(['/allowed/..;/secret', '/allowed/%2E%2E%3B/secret', '/allowed/.;x/secret'])(
    'refuses %s without any request',
    async (path) => {
      route('/secret', (_req, res) => res.end('secret'));
      const error = await failure(fetcher.open(`${base}${path}`));
      expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN', retryable: false });
      expect(error.message).toMatch(/dot segment with parameters/);
      expect(hits.size).toBe(0);
    },
  );

  it('fails open() at once for an aborted signal', async () => {
    const url = route('/allowed/a', (_req, res) => res.end('a'));
    const error = await failure(fetcher.open(url, AbortSignal.abort()));
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
    expect(hits.get('/allowed/a')).toBeUndefined();
  });
});

describe('redirects', () => {
  it('follows redirects inside the allow-list', async () => {
    route('/allowed/target', (_req, res) => res.end('moved content'));
    route('/allowed/hop', (_req, res) => res.writeHead(307, { location: '/allowed/target' }).end());
    const url = route('/allowed/start', (_req, res) =>
      res.writeHead(302, { location: `${base}/allowed/hop` }).end(),
    );
    const source = await fetcher.open(url);
    expect((await buffer(source.body)).toString()).toBe('moved content');
  });

  it.each([
    ['another path of the same host', () => `${base}/secret`],
    ['a cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a file URL', () => 'file:///etc/passwd'],
    ['a URL with user info', () => `http://u:p@${base.slice('http://'.length)}/allowed/x`],
    ['a protocol-relative URL', () => '//evil.example/allowed'],
    ['a "..;" path (Tomcat reads it as "..")', () => '/allowed/..;/secret'],
    ['an encoded "..;" path', () => `${base}/allowed/%2e%2e;jsessionid=1/secret`],
    ['a path with parameters', () => '/allowed/a.mp4;x=1'],
  ])('refuses a redirect to %s', async (_name, location) => {
    route('/secret', (_req, res) => res.end('secret'));
    const url = route('/allowed/evil', (_req, res) =>
      res.writeHead(302, { location: location() }).end(),
    );
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN', retryable: false });
    expect(error.message).toMatch(/redirects to/);
    expect(hits.get('/secret')).toBeUndefined();
  });

  it('bounds a redirect loop by maxRedirects', async () => {
    const url = route('/allowed/loop', (_req, res) =>
      res.writeHead(301, { location: '/allowed/loop' }).end(),
    );
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', retryable: false });
    expect(error.message).toMatch(/more than 3 times/);
    expect(hits.get('/allowed/loop')).toBe(4);
  });

  it('refuses a redirect without a Location', async () => {
    const url = route('/allowed/nowhere', (_req, res) => res.writeHead(302).end());
    expect(await failure(fetcher.open(url))).toMatchObject({
      code: 'SOURCE_UNAVAILABLE',
      retryable: false,
    });
  });
});

/** Parses the params of an `Authorization: Digest ...` header. */
function digestParams(header: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    found[match[1]!] = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return found;
}

const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const md5 = (value: string): string => createHash('md5').update(value, 'utf8').digest('hex');

/** A minimal Digest-checking endpoint (RFC 2617 / RFC 2069), independent of the code under test. */
function digestHandler(
  options: { qop?: string; algorithm?: string; basicFirst?: boolean },
  body: string,
): Handler {
  const realm = 'Opencast';
  const nonce = randomBytes(12).toString('hex');
  const opaque = randomBytes(8).toString('hex');
  return (req, res) => {
    const header = req.headers.authorization;
    if (header?.startsWith('Digest ') === true) {
      const p = digestParams(header);
      let ha1 = md5(`${USER}:${realm}:${PASSWORD}`);
      if (options.algorithm === 'MD5-sess') ha1 = md5(`${ha1}:${nonce}:${p.cnonce ?? ''}`);
      const ha2 = md5(`GET:${req.url ?? ''}`);
      const expected =
        options.qop === undefined
          ? md5(`${ha1}:${nonce}:${ha2}`)
          : md5(`${ha1}:${nonce}:${p.nc ?? ''}:${p.cnonce ?? ''}:${p.qop ?? ''}:${ha2}`);
      const valid =
        p.username === USER &&
        p.realm === realm &&
        p.nonce === nonce &&
        p.uri === req.url &&
        p.opaque === opaque &&
        p.qop === options.qop &&
        p.response === expected;
      if (valid) {
        res.end(body);
        return;
      }
    }
    const challenge = [`realm="${realm}"`, `nonce="${nonce}"`, `opaque="${opaque}"`];
    if (options.qop !== undefined) challenge.push(`qop="${options.qop}"`);
    if (options.algorithm !== undefined) challenge.push(`algorithm=${options.algorithm}`);
    const digest = `Digest ${challenge.join(', ')}`;
    // Basic first, as a hostile or careless server may order them.
    const offered = options.basicFirst === true ? ['Basic realm="f"', digest] : digest;
    res.writeHead(401, { 'www-authenticate': offered }).end();
  };
}

describe('authentication', () => {
  /** A Basic endpoint that records every Authorization header it receives. */
  function basicRoute(path: string, seen: (string | undefined)[], challenge = 'Basic realm="f"') {
    return route(path, (req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization === BASIC) res.end('basic ok');
      else res.writeHead(401, { 'www-authenticate': challenge }).end();
    });
  }

  it('refuses Basic over plain http by default, without sending the password', async () => {
    const seen: (string | undefined)[] = [];
    const error = await failure(fetcher.open(basicRoute('/allowed/auth/basic', seen)));
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN', retryable: false });
    expect(error.message).toMatch(/asks for Basic authentication, which its credentials do not/);
    expect(seen).toEqual([undefined]);
  });

  it('refuses Basic over plain http when enabled but not allowed over http', async () => {
    const seen: (string | undefined)[] = [];
    const url = basicRoute('/allowed/auth/basic-enabled/a.mp4', seen);
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN', retryable: false });
    expect(error.message).toMatch(
      /asks for Basic authentication over plain http; the password is not sent in clear text/,
    );
    expect(error.message).not.toContain(PASSWORD);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
    expect(seen).toEqual([undefined]);
  });

  it('answers Basic over http with schemes basic+digest and allowBasicOverHttp', async () => {
    const seen: (string | undefined)[] = [];
    const source = await fetcher.open(basicRoute('/allowed/auth/basic-over-http/a.mp4', seen));
    expect((await buffer(source.body)).toString()).toBe('basic ok');
    expect(seen).toEqual([undefined, BASIC]);
  });

  it('prefers Digest to an allowed Basic when the server offers both', async () => {
    const seen: (string | undefined)[] = [];
    const digest = digestHandler({ qop: 'auth', basicFirst: true }, 'digest ok');
    const url = route('/allowed/auth/basic-over-http/both', (req, res) => {
      seen.push(req.headers.authorization);
      return digest(req, res);
    });
    const source = await fetcher.open(url);
    expect((await buffer(source.body)).toString()).toBe('digest ok');
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatch(/^Digest /);
    expect(seen.join(' ')).not.toContain(BASIC);
  });

  it.each([
    ['qop=auth (RFC 2617)', { qop: 'auth' }],
    ['MD5-sess', { qop: 'auth', algorithm: 'MD5-sess' }],
    ['no qop (RFC 2069, as Opencast sends)', {}],
  ])('answers a Digest challenge with %s', async (_name, options) => {
    const url = route('/allowed/auth/digest', digestHandler(options, 'digest ok'));
    const source = await fetcher.open(`${url}?a=1&b=%20`);
    expect((await buffer(source.body)).toString()).toBe('digest ok');
    expect(hits.get('/allowed/auth/digest')).toBe(2);
  });

  it('reports rejected credentials as SOURCE_FORBIDDEN after one retry', async () => {
    const url = route('/allowed/auth/wrong/x', digestHandler({ qop: 'auth' }, 'never'));
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN', retryable: false });
    expect(error.message).toMatch(/rejected the credentials/);
    expect(hits.get('/allowed/auth/wrong/x')).toBe(2);
  });

  it('reports a 401 without configured credentials as SOURCE_FORBIDDEN', async () => {
    const url = route('/allowed/private', digestHandler({ qop: 'auth' }, 'never'));
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
    expect(error.message).toMatch(/none are configured/);
    expect(hits.get('/allowed/private')).toBe(1);
  });

  it('refuses an authentication scheme it does not support', async () => {
    const url = route('/allowed/auth/bearer', (_req, res) =>
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="api"' }).end(),
    );
    const error = await failure(fetcher.open(url));
    expect(error).toMatchObject({ code: 'SOURCE_FORBIDDEN' });
    expect(error.message).toMatch(/does not support/);
  });
});
