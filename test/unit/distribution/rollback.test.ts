import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { runMetadata } from '../../../src/distribution/ownership.js';
import type { ObjectStat, ObjectStore } from '../../../src/distribution/ports.js';
import { removeCreated } from '../../../src/distribution/rollback.js';

/** A store that only answers the rollback's requests and records its deletes. */
function store(stats: Record<string, ObjectStat>, refuse: Set<string> = new Set()) {
  const deletes: { key: string; etag: string }[] = [];
  const fake = {
    statObject: (_bucket: string, key: string) => Promise.resolve(stats[key]),
    deleteObjectIfMatch: (_bucket: string, key: string, etag: string) => {
      deletes.push({ key, etag });
      return Promise.resolve(!refuse.has(key));
    },
  };
  // Only the two methods above are reached by removeCreated.
  return { store: fake as unknown as ObjectStore, deletes };
}

function logger() {
  const lines: { msg?: string; key?: string; reason?: string }[] = [];
  const log = pino(
    { level: 'info' },
    { write: (line: string) => lines.push(JSON.parse(line) as (typeof lines)[number]) },
  );
  return { log, lines };
}

describe('removeCreated', () => {
  it('deletes, on its ETag, only what still carries our run id and ETag', async () => {
    const { store: s, deletes } = store({
      mine: { size: 1, etag: '"m"', metadata: runMetadata('run-1', '7') },
      theirs: { size: 1, etag: '"t"', metadata: runMetadata('run-2', '7') },
    });
    const { log, lines } = logger();
    const created = [
      { key: 'mine', etag: '"m"' },
      { key: 'theirs', etag: '"m2"' },
    ];
    await removeCreated(created, 'b', 'run-1', s, log);
    expect(deletes).toEqual([{ key: 'mine', etag: '"m"' }]);
    expect(lines.map((l) => [l.key, l.msg])).toEqual([['theirs', 'rollback leaves an object']]);
    expect(lines[0]?.reason).toContain('run-2');
  });

  it('logs a delete the store refused because the object changed after the check', async () => {
    const { store: s } = store(
      { mine: { size: 1, etag: '"m"', metadata: runMetadata('run-1', '7') } },
      new Set(['mine']),
    );
    const { log, lines } = logger();
    await removeCreated([{ key: 'mine', etag: '"m"' }], 'b', 'run-1', s, log);
    expect(lines.map((l) => [l.key, l.msg])).toEqual([['mine', 'rollback leaves an object']]);
    expect(lines[0]?.reason).toContain('412');
  });
});
