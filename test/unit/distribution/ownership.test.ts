import { describe, expect, it } from 'vitest';
import {
  decideRemoval,
  runMetadata,
  type RemovalDecision,
} from '../../../src/distribution/ownership.js';
import type { ObjectStat } from '../../../src/distribution/ports.js';

const ours = runMetadata('run-1', '42');
const stat = (etag: string | undefined, metadata: Record<string, string>): ObjectStat => ({
  size: 3,
  etag,
  metadata,
});

/** Why the decision leaves the object; fails the test when it removes it. */
function reasonOf(decision: RemovalDecision): string {
  if (decision.remove) throw new Error('expected the object to be left');
  return decision.reason;
}

describe('decideRemoval', () => {
  it('removes an object with our run id and our ETag, on that ETag', () => {
    expect(decideRemoval(stat('"a"', ours), 'run-1', '"a"')).toEqual({ remove: true, etag: '"a"' });
  });

  it('leaves an object another run wrote over ours', () => {
    const decision = decideRemoval(stat('"b"', runMetadata('run-2', '42')), 'run-1', '"a"');
    expect(reasonOf(decision)).toContain('run run-2');
  });

  it('leaves an object without a run id (a direct publisher, an older version)', () => {
    const decision = decideRemoval(stat('"a"', {}), 'run-1', '"a"');
    expect(reasonOf(decision)).toContain('no run id');
  });

  it('leaves an object with our run id whose ETag is no longer the one we wrote', () => {
    const decision = decideRemoval(stat('"b"', ours), 'run-1', '"a"');
    expect(reasonOf(decision)).toContain('ETag changed');
  });

  it('leaves an object when our write reported no ETag to compare', () => {
    const decision = decideRemoval(stat('"a"', ours), 'run-1', undefined);
    expect(reasonOf(decision)).toContain('no ETag');
  });

  it('has nothing to remove when the object is gone', () => {
    expect(decideRemoval(undefined, 'run-1', '"a"')).toEqual({
      remove: false,
      reason: 'the object is gone already',
    });
  });
});
