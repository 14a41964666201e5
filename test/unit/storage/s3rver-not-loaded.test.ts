import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// Runs in a fresh process: this test process has loaded s3rver (and the Redis client)
// through other tests.
const probe = `
import { createRequire } from 'node:module';
await import('./src/service.ts');
const loaded = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(
  JSON.stringify(loaded.filter((path) => path.includes('/s3rver/') || path.includes('/@redis/'))),
);
`;

describe('s3rver and the Redis client', () => {
  it('are not loaded by importing the service: only the embedded store and REDIS_URL load them', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', probe],
      { cwd: root },
    );
    expect(JSON.parse(stdout)).toEqual([]);
  }, 30_000);
});
