import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opencast's test resources, vendored with the repository (see `SOURCES.md` there). */
export const OPENCAST_FIXTURES_DIR = fileURLToPath(
  new URL('../fixtures/opencast/', import.meta.url),
);

/** Reads an Opencast fixture as UTF-8, by its path relative to the fixture folder. */
export function readFixture(relPath: string): string {
  const file = path.resolve(OPENCAST_FIXTURES_DIR, relPath);
  // A typo like '../x' must fail loudly instead of reading a file outside the fixtures.
  if (!file.startsWith(OPENCAST_FIXTURES_DIR)) {
    throw new Error(`Fixture path ${relPath} points outside ${OPENCAST_FIXTURES_DIR}`);
  }
  if (!existsSync(file)) {
    throw new Error(`Opencast fixture ${relPath} not found at ${file}`);
  }
  return readFileSync(file, 'utf8');
}
