import { fileURLToPath } from 'node:url';
import { ESLint, Linter } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });
const configs = new Map<string, Promise<Linter.Config>>();

/** The config for `file`, computed once: loading the project's config is the slow part. */
function configFor(file: string): Promise<Linter.Config> {
  let config = configs.get(file);
  if (config === undefined) {
    config = eslint.calculateConfigForFile(file) as Promise<Linter.Config>;
    configs.set(file, config);
  }
  return config;
}

/**
 * The `no-restricted-imports` messages the project's config gives `specifier` imported
 * from `file`. The rule options come from the real config; the rule runs on a one-line
 * fixture, which needs no type information and so no TypeScript program.
 */
async function restricted(file: string, specifier: string): Promise<string[]> {
  const config = await configFor(file);
  const rule = config.rules?.['no-restricted-imports'];
  if (rule === undefined) return [];
  const linter = new Linter();
  const messages = linter.verify(
    `import x from '${specifier}';\nexport default x;\n`,
    [{ files: ['**/*.js'], rules: { 'no-restricted-imports': rule } }],
    'fixture.js',
  );
  return messages.map((m) => m.message);
}

describe('layer fences', () => {
  // Loading ESLint's config (typescript-eslint and all) takes seconds on a busy machine; it
  // happens once here, under a hook's budget, not in whichever test happens to run first.
  beforeAll(async () => {
    await configFor('src/distribution/x.ts');
  }, 60_000);

  const core = [
    'src/opencast/x.ts',
    'src/distribution/x.ts',
    'src/contract/x.ts',
    'src/digest/x.ts',
  ];
  const forbiddenInCore = [
    'amqplib',
    '@aws-sdk/client-s3',
    'hono',
    'hono/factory',
    '@hono/node-server',
    'pino',
    'prom-client',
    's3rver',
    'node:fs',
    'fs/promises',
    'node:http',
    'node:child_process',
    '../http/app.js',
    '../messaging/broker.js',
    '../storage/s3-client.js',
    '../sources/http-source.js',
    '../worker/events.js',
    '../jobs/job-store.js',
    '../compose/roles.js',
    '../service.js',
    '../main.js',
    '../config.js',
    '../metrics.js',
  ];

  for (const file of core) {
    it.each(forbiddenInCore)(`${file} may not import %s`, async (specifier) => {
      expect(await restricted(file, specifier)).toHaveLength(1);
    });
  }

  it.each(['node:crypto', 'node:stream', 'zod', '../errors.js', '../opencast/model.js'])(
    'the core may import %s',
    async (specifier) => {
      expect(await restricted('src/distribution/x.ts', specifier)).toEqual([]);
    },
  );

  it('keeps fast-xml-parser in opencast/ and opencast/ out of distribution/', async () => {
    expect(await restricted('src/opencast/x.ts', 'fast-xml-parser')).toEqual([]);
    expect(await restricted('src/distribution/x.ts', 'fast-xml-parser')).toHaveLength(1);
    expect(await restricted('src/contract/x.ts', 'fast-xml-parser')).toHaveLength(1);
    expect(await restricted('src/opencast/x.ts', '../distribution/object-key.js')).toHaveLength(1);
  });

  it('keeps amqplib in messaging/ and @aws-sdk in storage/', async () => {
    expect(await restricted('src/messaging/x.ts', 'amqplib')).toEqual([]);
    expect(await restricted('src/messaging/x.ts', '@aws-sdk/client-s3')).toHaveLength(1);
    expect(await restricted('src/storage/x.ts', '@aws-sdk/client-s3')).toEqual([]);
    expect(await restricted('src/storage/x.ts', 'amqplib')).toHaveLength(1);
    for (const file of ['src/http/x.ts', 'src/sources/x.ts', 'src/service.ts']) {
      expect(await restricted(file, 'amqplib')).toHaveLength(1);
      expect(await restricted(file, '@aws-sdk/client-s3')).toHaveLength(1);
      expect(await restricted(file, 'hono')).toEqual([]);
    }
  });
});
