import type { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { ConditionalWrites, PROBE_PREFIX } from '../../../src/storage/conditional-writes.js';

/** A client that records commands and answers each with `answer(name, count)`. */
function client(answer: (name: string, puts: number) => unknown) {
  const sent: { name: string; key: string }[] = [];
  let puts = 0;
  const fake = {
    send: (command: { constructor: { name: string }; input: { Key: string } }) => {
      const name = command.constructor.name;
      sent.push({ name, key: command.input.Key });
      if (name === 'PutObjectCommand') puts++;
      const result = answer(name, puts);
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
  };
  // Only send() is reached by ConditionalWrites.
  return { client: fake as unknown as S3Client, sent };
}

const refused = Object.assign(new Error('At least one of the pre-conditions failed'), {
  name: 'PreconditionFailed',
  $metadata: { httpStatusCode: 412 },
});

describe('ConditionalWrites', () => {
  it('finds a store that refuses the second conditional write honouring, once per bucket', async () => {
    const { client: s3, sent } = client((name, puts) =>
      name === 'PutObjectCommand' && puts === 2 ? refused : {},
    );
    const writes = new ConditionalWrites(s3, 'auto');
    expect(await Promise.all([writes.honoured('b'), writes.honoured('b')])).toEqual([true, true]);
    expect(sent.map((c) => c.name)).toEqual([
      'PutObjectCommand',
      'PutObjectCommand',
      'DeleteObjectCommand',
    ]);
    expect(sent.every((c) => c.key.startsWith(PROBE_PREFIX) && c.key === sent[0]?.key)).toBe(true);
  });

  it('finds a store that writes twice not honouring', async () => {
    const { client: s3 } = client(() => ({}));
    expect(await new ConditionalWrites(s3, 'auto').honoured('b')).toBe(false);
  });

  it('answers not honouring when the probe fails, and probes again next time', async () => {
    let down = true;
    const { client: s3, sent } = client((name, puts) => {
      if (down) return new Error('store down');
      // After the failed probe's one put, each probe's second put is refused.
      return name === 'PutObjectCommand' && puts === 3 ? refused : {};
    });
    const writes = new ConditionalWrites(s3, 'auto');
    expect(await writes.honoured('b')).toBe(false);
    down = false;
    expect(await writes.honoured('b')).toBe(true);
    // The failed probe wrote nothing, so it deletes nothing.
    expect(sent.map((c) => c.name)).toEqual([
      'PutObjectCommand',
      'PutObjectCommand',
      'PutObjectCommand',
      'DeleteObjectCommand',
    ]);
  });

  it('takes on and off as said, without a request', async () => {
    const { client: s3, sent } = client(() => ({}));
    expect(await new ConditionalWrites(s3, 'on').honoured('b')).toBe(true);
    expect(await new ConditionalWrites(s3, 'off').honoured('b')).toBe(false);
    expect(sent).toEqual([]);
  });
});
