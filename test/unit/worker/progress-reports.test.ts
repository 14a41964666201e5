import { describe, expect, it } from 'vitest';
import type { OutgoingProgressEvent } from '../../../src/contract/event.js';
import type { JobProgress } from '../../../src/contract/progress.js';
import type { JobReply } from '../../../src/contract/reply.js';
import type { Command } from '../../../src/contract/command.js';
import { ProgressTracker } from '../../../src/distribution/progress.js';
import { ProgressReports, progressSender } from '../../../src/worker/progress-reports.js';

const command: Command = {
  version: 1,
  type: 'distribute',
  jobId: '42',
  organization: 'org',
  channelId: 'engage-player',
  mediapackage: '<mediapackage id="mp"/>',
  elementIds: ['a', 'b'],
  checkAvailability: false,
};

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve: () => void = () => undefined;
  let reject: (e: Error) => void = () => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ProgressTracker', () => {
  it('says nothing before the plan, then sums bytes and finished elements', () => {
    const tracker = new ProgressTracker();
    expect(tracker.snapshot()).toBeUndefined();
    tracker.plan([100, undefined]);
    expect(tracker.snapshot()).toEqual({
      bytesDone: 0,
      bytesTotal: undefined,
      elementsDone: 0,
      elementsTotal: 2,
    });
    tracker.bytes(0, 60);
    tracker.finished(0, 100);
    // The second element's source declares its length: now the total is known.
    tracker.bytes(1, 10, 50);
    expect(tracker.snapshot()).toEqual({
      bytesDone: 110,
      bytesTotal: 150,
      elementsDone: 1,
      elementsTotal: 2,
    });
    // A stored size wins over what the mediapackage said.
    tracker.finished(1, 55);
    expect(tracker.snapshot()).toMatchObject({ bytesDone: 155, bytesTotal: 155, elementsDone: 2 });
  });

  it('ignores indexes outside the plan', () => {
    const tracker = new ProgressTracker();
    tracker.plan([10]);
    tracker.bytes(5, 99);
    tracker.bytes(-1, 99);
    tracker.finished(1, 99);
    expect(tracker.snapshot()).toEqual({
      bytesDone: 0,
      bytesTotal: 10,
      elementsDone: 0,
      elementsTotal: 1,
    });
  });
});

describe('ProgressReports', () => {
  it('sends only what changed, and drops ticks while a report is on its way', async () => {
    let current: JobProgress | undefined;
    const sent: JobProgress[] = [];
    let pending = deferred();
    const reports = new ProgressReports(
      () => current,
      (progress) => {
        sent.push(progress);
        return pending.promise;
      },
    );
    reports.tick();
    expect(sent).toEqual([]);
    current = { bytesDone: 1, elementsDone: 0, elementsTotal: 1 };
    reports.tick();
    expect(sent).toHaveLength(1);
    // The broker is slow: later progress is not queued behind the report in flight.
    current = { bytesDone: 2, elementsDone: 0, elementsTotal: 1 };
    reports.tick();
    current = { bytesDone: 3, elementsDone: 0, elementsTotal: 1 };
    reports.tick();
    expect(sent).toHaveLength(1);
    pending.resolve();
    await pending.promise;
    await Promise.resolve();
    pending = deferred();
    reports.tick();
    expect(sent.map((p) => p.bytesDone)).toEqual([1, 3]);
    // Unchanged: nothing sent.
    pending.resolve();
    await pending.promise;
    await Promise.resolve();
    reports.tick();
    expect(sent).toHaveLength(2);
    reports.stop();
  });

  it('goes on after a failed report', async () => {
    let bytesDone = 1;
    const sent: number[] = [];
    const reports = new ProgressReports(
      () => ({ bytesDone, elementsDone: 0, elementsTotal: 1 }),
      (progress) => {
        sent.push(progress.bytesDone);
        return Promise.reject(new Error('broker gone'));
      },
    );
    reports.tick();
    await Promise.resolve();
    await Promise.resolve();
    bytesDone = 2;
    reports.tick();
    expect(sent).toEqual([1, 2]);
  });
});

describe('progressSender', () => {
  const progress: JobProgress = {
    bytesDone: 10,
    bytesTotal: 20,
    elementsDone: 1,
    elementsTotal: 2,
  };
  const startedAt = new Date('2026-01-01T00:00:00Z');
  const now = new Date('2026-01-01T00:00:05Z');

  it('sends a progress event and a RUNNING reply with the progress', async () => {
    const events: OutgoingProgressEvent[] = [];
    const replies: [string, string, JobReply][] = [];
    const send = progressSender(command, 'reply-q', 'corr', startedAt, 'mp', {
      progress: {
        intervalMs: 1000,
        publish: (event) => {
          events.push(event);
          return Promise.resolve();
        },
      },
      sendReply: (replyTo, correlationId, reply) => {
        replies.push([replyTo, correlationId, reply]);
        return Promise.resolve();
      },
      clock: () => now,
      dropped: () => undefined,
    });
    await send(progress);
    expect(events).toHaveLength(1);
    expect(events[0]?.routingKey).toBe('distribute.progress');
    expect(events[0]?.event).toMatchObject({
      id: '42:distribute.progress:1:10',
      type: 'org.opencastproject.distribution.s3.distribute.progress',
      subject: 'mp',
      time: now.toISOString(),
      data: { jobId: '42', channelId: 'engage-player', progress },
    });
    expect(replies).toEqual([
      [
        'reply-q',
        'corr',
        { version: 1, jobId: '42', status: 'RUNNING', time: now.toISOString(), progress },
      ],
    ]);
  });

  it('sends no reply without reply_to, and never rejects', async () => {
    const dropped: unknown[] = [];
    let replies = 0;
    const send = progressSender(command, undefined, undefined, startedAt, undefined, {
      progress: { intervalMs: 1000, publish: () => Promise.reject(new Error('slow broker')) },
      sendReply: () => {
        replies++;
        return Promise.resolve();
      },
      clock: () => now,
      dropped: (err) => dropped.push(err),
    });
    await expect(send(progress)).resolves.toBeUndefined();
    expect(replies).toBe(0);
    expect(dropped).toHaveLength(1);
  });
});
