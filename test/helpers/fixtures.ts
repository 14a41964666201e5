import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `<repo>/test/helpers/fixtures.ts`). */
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Opencast's test resources, shared by every checkout: `<repo>/../shared/fixtures/opencast`. */
export const OPENCAST_FIXTURES_DIR = path.resolve(
  REPO_ROOT,
  '..',
  'shared',
  'fixtures',
  'opencast',
);

/** Reads an Opencast fixture as UTF-8, by its path relative to the fixture folder. */
export function readFixture(relPath: string): string {
  const file = path.resolve(OPENCAST_FIXTURES_DIR, relPath);
  if (!file.startsWith(OPENCAST_FIXTURES_DIR + path.sep)) {
    throw new Error(`Fixture path ${relPath} points outside ${OPENCAST_FIXTURES_DIR}`);
  }
  if (!existsSync(file)) {
    throw new Error(
      `Opencast fixture ${relPath} not found at ${file}; the fixtures are expected in <repo>/../shared/fixtures/opencast`,
    );
  }
  return readFileSync(file, 'utf8');
}
