import pino from 'pino';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import type { MediaPackageElement } from '../../../src/opencast/model.js';
import type {
  ObjectStore,
  PutObjectInput,
  SourceFetcher,
} from '../../../src/distribution/ports.js';
import { writeElement } from '../../../src/distribution/write-element.js';

const element = { id: 'e1', url: 'http://src/e1.xml' } as MediaPackageElement;
const upload = { element, key: 'org/ch/mp/e1/e1.xml' };
const metadata = { 'ocs3-run': 'run-1', 'ocs3-job': '7' };
const signal = new AbortController().signal;

/**
 * A store whose HEAD says `existed` and whose create-if-absent stores when `created` (else
 * answers 412). `honoured`: the store trusts its own 412, so no HEAD is needed first.
 */
function setup(existed: boolean, created: boolean, honoured = false, lengthKnown = true) {
  const calls: { method: string; body: string; metadata: PutObjectInput['metadata'] }[] = [];
  let heads = 0;
  const record = async (method: string, input: PutObjectInput) => {
    const body = (await buffer(input.body)).toString();
    calls.push({ method, body, metadata: input.metadata });
    return body.length;
  };
  const fake = {
    headObject: () => {
      heads++;
      return Promise.resolve(existed ? 3 : undefined);
    },
    mustCheckBeforeCreate: (_bucket: string, length: number | undefined) =>
      Promise.resolve(!honoured || length === undefined),
    createObject: async (input: PutObjectInput) => {
      const size = await record('create', input);
      // false: the store answered 412, another run created the key after our HEAD.
      return created ? { size, etag: '"ours"' } : undefined;
    },
    putObject: async (input: PutObjectInput) => ({ size: await record('put', input) }),
  };
  let opened = 0;
  const sources: SourceFetcher = {
    assertAllowed: () => undefined,
    open: () => {
      opened++;
      return Promise.resolve({
        body: Readable.from([Buffer.from('<e/>')]),
        contentLength: lengthKnown ? 4 : undefined,
        contentType: undefined,
      });
    },
  };
  const deps = {
    // Only the methods above are reached by writeElement.
    store: fake as unknown as ObjectStore,
    sources,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
  };
  const write = () =>
    writeElement(upload, undefined, 'b', metadata, deps, pino({ level: 'silent' }), signal);
  return { write, calls, opened: () => opened, heads: () => heads };
}

describe('writeElement', () => {
  it('claims a key that was empty and stayed so, with the ETag of its write', async () => {
    const { write, calls } = setup(false, true);
    expect(await write()).toEqual({ size: 4, created: true, etag: '"ours"' });
    expect(calls).toEqual([{ method: 'create', body: '<e/>', metadata }]);
  });

  it('writes over, without claiming, a key another run created after the HEAD (412)', async () => {
    const { write, calls, opened } = setup(false, false);
    expect(await write()).toEqual({ size: 4, created: false, etag: undefined });
    expect(calls.map((c) => c.method)).toEqual(['create', 'put']);
    expect(calls[1]?.metadata).toEqual(metadata);
    // The first body was spent on the refused write: the source is read again.
    expect(opened()).toBe(2);
  });

  it('overwrites a key that existed before, unconditionally and unclaimed', async () => {
    const { write, calls } = setup(true, true);
    expect(await write()).toEqual({ size: 4, created: false, etag: undefined });
    expect(calls).toEqual([{ method: 'put', body: '<e/>', metadata }]);
  });

  it('sends no HEAD where the store honours If-None-Match, and claims what it created', async () => {
    const { write, calls, heads } = setup(false, true, true);
    expect(await write()).toEqual({ size: 4, created: true, etag: '"ours"' });
    expect(calls.map((c) => c.method)).toEqual(['create']);
    expect(heads()).toBe(0);
  });

  it('leaves unclaimed, without a HEAD, a key the store says existed (412)', async () => {
    const { write, calls, heads, opened } = setup(true, false, true);
    expect(await write()).toEqual({ size: 4, created: false, etag: undefined });
    expect(calls.map((c) => c.method)).toEqual(['create', 'put']);
    expect(heads()).toBe(0);
    expect(opened()).toBe(2);
  });

  it('checks with a HEAD when the store asks for it (a body of unknown length)', async () => {
    const { write, calls, heads } = setup(true, true, true, false);
    expect(await write()).toEqual({ size: 4, created: false, etag: undefined });
    expect(calls.map((c) => c.method)).toEqual(['put']);
    expect(heads()).toBe(1);
  });
});
