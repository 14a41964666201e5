/**
 * Redis for tests: the machine's Redis (or `REDIS_URL`), a key prefix no other test uses,
 * and cleanup of every key under it.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from '@redis/client';

/** The Redis every development and CI machine runs. */
export const LOCAL_REDIS_URL = 'redis://127.0.0.1:6379';

/** A Redis to test against, with a key prefix of this test's own. */
export interface TestRedis {
  readonly url: string;
  /** Unique per call, e.g. `ocs3test.1a2b3c4d5e6f:`. */
  readonly keyPrefix: string;
  /** The keys under the prefix, with their remaining time to live in seconds. */
  keys(): Promise<Map<string, number>>;
  /** Reads one key's value as text (undefined when absent). */
  read(key: string): Promise<string | undefined>;
  /** Deletes every key under the prefix. */
  close(): Promise<void>;
}

/** Connects to `REDIS_URL` (else the local Redis) and picks a fresh key prefix. */
export async function startTestRedis(): Promise<TestRedis> {
  const fromEnv = process.env.REDIS_URL;
  const url = fromEnv !== undefined && fromEnv !== '' ? fromEnv : LOCAL_REDIS_URL;
  const keyPrefix = `ocs3test.${randomBytes(6).toString('hex')}:`;
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on('error', () => undefined);
  await client.connect();
  const keyNames = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 100 })) {
      names.push(...batch);
    }
    return names;
  };
  return {
    url,
    keyPrefix,
    keys: async () => {
      const result = new Map<string, number>();
      for (const name of await keyNames()) result.set(name, await client.ttl(name));
      return result;
    },
    read: async (key) => (await client.get(key)) ?? undefined,
    close: async () => {
      const names = await keyNames();
      if (names.length > 0) await client.del(names);
      await client.close();
    },
  };
}
