import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ObjectCopyInput } from '../../../src/distribution/copy-element.js';
import type { ObjectStore, SourceFetcher } from '../../../src/distribution/ports.js';
import { writeElement } from '../../../src/distribution/write-element.js';
import type { MediaPackageElement } from '../../../src/opencast/model.js';

const element = {
  id: 'e1',
  url: 's3://src/in/v.mp4',
  mimetype: 'video/mp4',
} as MediaPackageElement;
const upload = { element, key: 'org/ch/mp/e1/v.mp4' };
const metadata = { 'ocs3-run': 'run-1', 'ocs3-job': '7' };
const signal = new AbortController().signal;
const source = { bucket: 'src', key: 'in/v.mp4' };

/** HEAD says `existed`; a conditional copy answers 412 unless `created`. */
function setup(existed: boolean, created: boolean) {
  const copies: ObjectCopyInput[] = [];
  const fail = () => Promise.reject(new Error('an upload or a source read is not expected'));
  const store = {
    headObject: () => Promise.resolve(existed ? 3 : undefined),
    createObject: fail,
    putObject: fail,
  };
  const sources: SourceFetcher = { assertAllowed: () => undefined, open: fail };
  const deps = {
    // Only headObject is reached on the copy path.
    store: store as unknown as ObjectStore,
    sources,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    copies: {
      sourceObject: (url: string) => (url === element.url ? source : undefined),
      copy: (input: ObjectCopyInput) => {
        copies.push(input);
        return Promise.resolve(
          input.ifAbsent && !created
            ? undefined
            : { size: 9, etag: input.ifAbsent ? '"ours"' : '"x"' },
        );
      },
    },
  };
  const write = () =>
    writeElement(upload, undefined, 'dst', metadata, deps, pino({ level: 'silent' }), signal);
  return { write, copies };
}

describe('writeElement with a source in the store', () => {
  it('copies instead of uploading, and claims a key that was empty', async () => {
    const { write, copies } = setup(false, true);
    expect(await write()).toEqual({ size: 9, created: true, etag: '"ours"' });
    expect(copies).toEqual([
      {
        source,
        bucket: 'dst',
        key: upload.key,
        metadata,
        contentType: 'video/mp4',
        ifAbsent: true,
        signal,
      },
    ]);
  });

  it('copies over, without claiming, a key another run created after the HEAD (412)', async () => {
    const { write, copies } = setup(false, false);
    expect(await write()).toEqual({ size: 9, created: false, etag: undefined });
    expect(copies.map((c) => c.ifAbsent)).toEqual([true, false]);
  });

  it('copies over a key that existed before, unconditionally and unclaimed', async () => {
    const { write, copies } = setup(true, true);
    expect(await write()).toEqual({ size: 9, created: false, etag: undefined });
    expect(copies.map((c) => c.ifAbsent)).toEqual([false]);
  });
});
