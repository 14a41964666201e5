import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAvailabilityChecker } from '../../../src/sources/availability.js';
import { closedPort } from '../../helpers/http.js';

let server: Server;
let base: string;
const requests: { method: string | undefined; path: string | undefined }[] = [];
/** performance.now() at each request's arrival. */
const arrivals: number[] = [];
/** Status answered to each request in turn; the last one repeats. 0 means never answer. */
let statuses: number[] = [];
/** Called as each request arrives, before it is answered. */
let onRequest: () => void = () => undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ method: req.method, path: req.url });
    arrivals.push(performance.now());
    onRequest();
    const status = statuses.length > 1 ? statuses.shift() : statuses[0];
    if (status !== undefined && status !== 0) res.writeHead(status).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  requests.length = 0;
  arrivals.length = 0;
  onRequest = () => undefined;
});

describe('availability checker', () => {
  it('resolves true once the URL answers 200 (here at the third try)', async () => {
    statuses = [404, 503, 200];
    const checker = createAvailabilityChecker({ tries: 5, intervalMs: 20, timeoutMs: 5_000 });
    expect((await checker.check(`${base}/org/engage-player/mp/el/video.mp4`)).result).toBe(
      'available',
    );
    expect(requests).toEqual([
      { method: 'HEAD', path: '/org/engage-player/mp/el/video.mp4' },
      { method: 'HEAD', path: '/org/engage-player/mp/el/video.mp4' },
      { method: 'HEAD', path: '/org/engage-player/mp/el/video.mp4' },
    ]);
  });

  it('resolves false after N tries, without sleeping after the last one', async () => {
    statuses = [404];
    // A pause long enough that a loaded machine's stalls cannot pass for one or hide one.
    const checker = createAvailabilityChecker({ tries: 3, intervalMs: 1_000, timeoutMs: 5_000 });
    expect((await checker.check(`${base}/missing`)).result).not.toBe('available');
    const resolved = performance.now();
    expect(requests).toHaveLength(3);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(990);
    expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(990);
    // Opencast pauses after the last try too; this checker answers right away.
    expect(resolved - arrivals[2]!).toBeLessThan(800);
  });

  it('counts only 200 as success', async () => {
    statuses = [204];
    const checker = createAvailabilityChecker({ tries: 2, intervalMs: 0, timeoutMs: 5_000 });
    expect((await checker.check(`${base}/empty`)).result).not.toBe('available');
    expect(requests).toHaveLength(2);
  });

  it('treats a request that times out as a failed try', async () => {
    statuses = [0];
    const checker = createAvailabilityChecker({ tries: 2, intervalMs: 0, timeoutMs: 100 });
    // Without the request timeout this never resolves (the test timeout fails it).
    expect((await checker.check(`${base}/hang`)).result).not.toBe('available');
    expect(requests).toHaveLength(2);
  });

  // The pause and the request below outlast the test timeout: only the abort ends them.
  it('resolves false when the signal aborts during the pause', async () => {
    statuses = [404];
    const checker = createAvailabilityChecker({ tries: 10, intervalMs: 60_000, timeoutMs: 500 });
    const controller = new AbortController();
    // The 404 takes well under 50 ms on loopback: the abort lands in the pause after it.
    onRequest = () => {
      setTimeout(() => {
        controller.abort();
      }, 50);
    };
    expect((await checker.check(`${base}/missing`, controller.signal)).result).not.toBe(
      'available',
    );
    expect(requests).toHaveLength(1);
  });

  it('resolves false when the signal aborts during a request', async () => {
    statuses = [0];
    const checker = createAvailabilityChecker({ tries: 3, intervalMs: 0, timeoutMs: 60_000 });
    const controller = new AbortController();
    onRequest = () => {
      controller.abort();
    };
    expect((await checker.check(`${base}/hang`, controller.signal)).result).not.toBe('available');
    expect(requests).toHaveLength(1);
  });

  it('sends nothing for a signal that is already aborted', async () => {
    statuses = [200];
    const checker = createAvailabilityChecker({ tries: 3, intervalMs: 0, timeoutMs: 500 });
    expect((await checker.check(`${base}/x`, AbortSignal.abort())).result).not.toBe('available');
    expect(requests).toHaveLength(0);
  });

  it('reports a port nothing listens on as unreachable after one try', async () => {
    const port = await closedPort();
    const checker = createAvailabilityChecker({ tries: 10, intervalMs: 60_000, timeoutMs: 500 });
    expect(await checker.check(`http://127.0.0.1:${String(port)}/x.mp4`)).toEqual({
      result: 'unreachable',
      detail: 'ECONNREFUSED',
      tries: 1,
    });
  });
});
