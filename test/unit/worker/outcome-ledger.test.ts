import { describe, expect, it } from 'vitest';
import { buildEvent } from '../../../src/contract/event.js';
import { OutcomeLedger, type RecordedOutcome } from '../../../src/worker/outcome-ledger.js';

function outcome(jobId: string, kind: 'completed' | 'failed' = 'completed'): RecordedOutcome {
  const event = buildEvent(kind, {
    jobId,
    operation: 'distribute',
    organization: 'o',
    channelId: 'c',
    mediaPackageId: 'mp',
    elements: [],
    startedAt: '2024-10-01T09:00:00.000Z',
    completedAt: '2024-10-01T09:00:01.000Z',
    durationMs: 1000,
  });
  return { event, status: kind === 'completed' ? 'FINISHED' : 'FAILED' };
}

describe('OutcomeLedger', () => {
  it('lets the first run go and hands its outcome to a later duplicate', async () => {
    const ledger = new OutcomeLedger();
    const first = await ledger.begin('1:distribute');
    expect(first.earlier).toBeUndefined();
    first.finish?.(outcome('1'));
    const again = await ledger.begin('1:distribute');
    expect(again.earlier?.event.event.id).toBe('1:distribute.completed');
  });

  it('makes a concurrent duplicate wait for the running one, then see its outcome', async () => {
    const ledger = new OutcomeLedger();
    const first = await ledger.begin('2:distribute');
    let settled = false;
    const second = ledger.begin('2:distribute').then((claim) => {
      settled = true;
      return claim;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    first.finish?.(outcome('2', 'failed'));
    expect((await second).earlier?.status).toBe('FAILED');
  });

  it('records nothing for a run handed back (shutdown), so the next delivery runs', async () => {
    const ledger = new OutcomeLedger();
    (await ledger.begin('3:retract')).finish?.(undefined);
    expect((await ledger.begin('3:retract')).finish).toBeTypeOf('function');
  });

  it('forgets the oldest entries beyond its size and entries older than its age', async () => {
    let now = 0;
    const ledger = new OutcomeLedger({ maxEntries: 2, maxAgeMs: 1000, now: () => now });
    for (const id of ['a', 'b', 'c']) (await ledger.begin(id)).finish?.(outcome(id));
    expect((await ledger.begin('a')).earlier).toBeUndefined();
    expect((await ledger.begin('c')).earlier).toBeDefined();
    now = 2000;
    expect((await ledger.begin('c')).earlier).toBeUndefined();
  });
});
