import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('../../../src/contract/', import.meta.url));
// The wire contract is shared knowledge, not an adapter: only these may be imported.
const ALLOWED = [/^zod$/, /^node:crypto$/, /^\.\.\/errors\.js$/, /^\.\.\/opencast\//, /^\.\//];

describe('src/contract', () => {
  const files = readdirSync(DIR).filter((name) => name.endsWith('.ts'));

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(3);
  });

  it.each(files)('%s imports no adapter or I/O library', (name) => {
    const source = readFileSync(`${DIR}${name}`, 'utf8');
    const specifiers = [...source.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/gm)].map(
      (m) => m[1] ?? '',
    );
    expect(specifiers.filter((s) => !ALLOWED.some((allowed) => allowed.test(s)))).toEqual([]);
  });
});
