/**
 * In Opencast mode the system account goes to the `/files/` and `/assets/` of the
 * cluster's hosts and to nothing else: not to other paths of those hosts, not to other
 * servers, not after a redirect.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSourceFetcher,
  type ClusterSourceFetcher,
} from '../../../src/sources/source-fetcher.js';
import { failure } from '../../helpers/app-error.js';
import { digestAuth } from '../../helpers/opencast-admin/auth.js';

const SYSTEM = { username: 'opencast_system_account', password: 'CHANGE_ME' };

/** Headers of every request a server received. */
type Seen = IncomingMessage['headers'][];

/** An Opencast node: /files/ and /assets/ behind Opencast's Digest security (the double's). */
async function startNode(seen: Seen): Promise<{ url: string; server: Server }> {
  const app = new Hono();
  app.use('*', async (c, next) => {
    seen.push(Object.fromEntries(c.req.raw.headers));
    await next();
  });
  const users = new Map([
    [SYSTEM.username, { password: SYSTEM.password, roles: ['ROLE_ADMIN', 'ROLE_SUDO'] }],
  ]);
  app.use('*', digestAuth(users));
  app.get('/files/mediapackage/mp/el/a.mp4', (c) => c.body('files body', 200));
  app.get('/assets/assets/mp/el/0/b.mp4', (c) => c.body('assets body', 200));
  app.get('/admin-ng/secret', (c) => c.body('admin body', 200));
  app.get('/files/redirect-away', (c) => c.redirect(`${other.url}/files/x.mp4`, 302));
  const listener = getRequestListener(app.fetch);
  const server = createServer((req, res) => {
    void listener(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Another server: challenges every request with Digest and records what it got. */
async function startOther(seen: Seen): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(401, { 'WWW-Authenticate': 'Digest realm="Opencast", nonce="n1", qop="auth"' });
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const nodeSeen: Seen = [];
const otherSeen: Seen = [];
let node: { url: string; server: Server };
let other: { url: string; server: Server };
let fetcher: ClusterSourceFetcher;

const read = async (url: string) => (await buffer((await fetcher.open(url)).body)).toString();

beforeAll(async () => {
  other = await startOther(otherSeen);
  node = await startNode(nodeSeen);
  fetcher = createSourceFetcher(
    {
      // The admin also allows the other server, so only credentials are in question there.
      allowedUrlPrefixes: [`${other.url}/files/`],
      sharedStorage: [],
      fileRoots: [],
      credentials: [],
      connectTimeoutMs: 5000,
      readTimeoutMs: 5000,
      maxRedirects: 3,
    },
    { clusterAccount: SYSTEM },
  );
});

afterAll(() => {
  for (const { server } of [node, other]) {
    server.closeAllConnections();
    server.close();
  }
});

describe('cluster sources', () => {
  it('before the host list, a node /files/ URL is not yet allowed (retryable)', async () => {
    const error = await failure(fetcher.open(`${node.url}/files/mediapackage/mp/el/a.mp4`));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(nodeSeen).toHaveLength(0);
  });

  it("reads a cluster host's /files/ and /assets/ with the system account", async () => {
    fetcher.setClusterHosts([node.url]);
    expect(await read(`${node.url}/files/mediapackage/mp/el/a.mp4`)).toBe('files body');
    expect(await read(`${node.url}/assets/assets/mp/el/0/b.mp4`)).toBe('assets body');
    const answered = nodeSeen.filter((h) => h.authorization !== undefined);
    expect(answered).toHaveLength(2);
    for (const headers of answered) {
      expect(headers.authorization).toContain(`username="${SYSTEM.username}"`);
    }
    // The probe asks for Digest, as Opencast's own client does; without it Opencast redirects.
    expect(nodeSeen.every((h) => h['x-requested-auth'] === 'Digest')).toBe(true);
  });

  it('refuses other paths of a cluster host, without sending anything', async () => {
    const before = nodeSeen.length;
    const error = await failure(fetcher.open(`${node.url}/admin-ng/secret`));
    expect(error.code).toBe('SOURCE_FORBIDDEN');
    expect(nodeSeen).toHaveLength(before);
  });

  it('never sends the credentials to another server, also after a redirect', async () => {
    const direct = await failure(fetcher.open(`${other.url}/files/x.mp4`));
    expect(direct.message).toMatch(/requires credentials; none are configured/);
    const redirected = await failure(fetcher.open(`${node.url}/files/redirect-away`));
    expect(redirected.code).toBe('SOURCE_FORBIDDEN');
    expect(otherSeen).toHaveLength(2);
    for (const headers of otherSeen) {
      expect(headers.authorization).toBeUndefined();
      expect(headers['x-requested-auth']).toBeUndefined();
    }
  });

  it('drops a host that leaves the cluster', async () => {
    fetcher.setClusterHosts([]);
    const error = await failure(fetcher.open(`${node.url}/files/mediapackage/mp/el/a.mp4`));
    expect(error.code).toBe('SOURCE_FORBIDDEN');
  });
});
