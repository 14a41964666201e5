import { describe, expect, it } from 'vitest';
import { createAvailabilityChecker } from '../../../src/sources/availability.js';

describe('createAvailabilityChecker (no network)', () => {
  it.each([
    [{ tries: 0, intervalMs: 0, timeoutMs: 1 }, /tries/],
    [{ tries: 1.5, intervalMs: 0, timeoutMs: 1 }, /tries/],
    [{ tries: 1, intervalMs: -1, timeoutMs: 1 }, /intervalMs/],
    [{ tries: 1, intervalMs: 0, timeoutMs: 0 }, /timeoutMs/],
    [{ tries: 1, intervalMs: Number.POSITIVE_INFINITY, timeoutMs: 1 }, /intervalMs/],
    [{ tries: 1, intervalMs: 0, timeoutMs: 1, maxWaitMs: 0 }, /maxWaitMs/],
  ])('refuses options %j', (options, message) => {
    expect(() => createAvailabilityChecker(options)).toThrow(message);
  });

  it.each(['', 'not a url', 'ftp://a/x', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'reports %j unreachable without a request',
    async (url) => {
      let calls = 0;
      const checker = createAvailabilityChecker({
        tries: 3,
        intervalMs: 0,
        timeoutMs: 100,
        fetchImpl: () => {
          calls++;
          return Promise.resolve(new Response(null, { status: 200 }));
        },
      });
      expect(await checker.check(url)).toEqual({
        result: 'unreachable',
        detail: 'not an http(s) URL',
        tries: 0,
      });
      expect(calls).toBe(0);
    },
  );

  it('never throws, even when fetch throws synchronously', async () => {
    let calls = 0;
    const checker = createAvailabilityChecker({
      tries: 2,
      intervalMs: 0,
      timeoutMs: 100,
      fetchImpl: () => {
        calls++;
        throw new TypeError('boom');
      },
    });
    // No connection can be made: trying again would only cost time.
    expect(await checker.check('http://a.example/x')).toEqual({
      result: 'unreachable',
      detail: 'boom',
      tries: 1,
    });
    expect(calls).toBe(1);
  });

  it('sends HEAD requests', async () => {
    const methods: (string | undefined)[] = [];
    const checker = createAvailabilityChecker({
      tries: 1,
      intervalMs: 0,
      timeoutMs: 100,
      fetchImpl: (_url, init) => {
        methods.push(init?.method);
        return Promise.resolve(new Response(null, { status: 200 }));
      },
    });
    expect(await checker.check('https://a.example/x')).toEqual({
      result: 'available',
      detail: 'HTTP 200',
      tries: 1,
    });
    expect(methods).toEqual(['HEAD']);
  });

  it('names the network error of an unreachable URL and stops at the first', async () => {
    let calls = 0;
    const checker = createAvailabilityChecker({
      tries: 10,
      intervalMs: 60_000,
      timeoutMs: 100,
      fetchImpl: () => {
        calls++;
        const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
          code: 'ECONNREFUSED',
        });
        return Promise.reject(new TypeError('fetch failed', { cause }));
      },
    });
    expect(await checker.check('http://localhost:9/x')).toEqual({
      result: 'unreachable',
      detail: 'ECONNREFUSED',
      tries: 1,
    });
    expect(calls).toBe(1);
  });

  it('gives up after maxWaitMs although tries remain, and says so', async () => {
    let calls = 0;
    const checker = createAvailabilityChecker({
      tries: 100,
      intervalMs: 20,
      timeoutMs: 100,
      maxWaitMs: 100,
      fetchImpl: () => {
        calls++;
        return Promise.resolve(new Response(null, { status: 404 }));
      },
    });
    const check = await checker.check('http://cdn.example/x');
    expect(check.result).toBe('unavailable');
    expect(check.detail).toBe('HTTP 404; gave up after 100 ms');
    expect(check.tries).toBe(calls);
    expect(calls).toBeLessThan(100);
  });

  it('with signing on, HEADs a freshly signed URL each try; a failed signing is a failed try', async () => {
    const seen: string[] = [];
    const checker = createAvailabilityChecker({
      tries: 3,
      intervalMs: 0,
      timeoutMs: 100,
      fetchImpl: (input) => {
        seen.push(input instanceof Request ? input.url : input.toString());
        const ok = seen.length === 2;
        return Promise.resolve(new Response(null, { status: ok ? 200 : 403 }));
      },
    });
    let signings = 0;
    const signed = () => {
      signings++;
      if (signings === 1) return Promise.reject(new Error('no credentials yet'));
      return Promise.resolve(`http://a.example/x?sig=${signings}`);
    };
    expect((await checker.check('http://a.example/x', undefined, signed)).result).toBe('available');
    // Try 1 could not sign (no request), tries 2 and 3 each signed anew.
    expect(seen).toEqual(['http://a.example/x?sig=2', 'http://a.example/x?sig=3']);
  });
});
