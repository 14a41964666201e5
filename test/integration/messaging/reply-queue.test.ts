import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/messaging/broker.js';
import { replyQueueDeclaration } from '../../../src/messaging/reply-queue.js';
import { useBrokerHarness } from '../../helpers/broker-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

const h = useBrokerHarness(false);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** checkQueue on a throwaway channel: a 404 closes the channel it ran on. */
async function queueState(
  name: string,
): Promise<{ consumerCount: number; messageCount: number } | 'gone'> {
  const probe = await h.admin.createChannel();
  probe.on('error', () => undefined);
  try {
    return await probe.checkQueue(name);
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return 'gone';
    throw err;
  } finally {
    await probe.close().catch(() => undefined);
  }
}

describe('the reply queue', () => {
  it('is durable, not exclusive, expires, and is deleted by close()', async () => {
    const b = await h.start({ replyQueueExpiresMs: 45_000 });
    const replyTo = await h.openReplies(b, []);
    // Another connection may see it (an exclusive queue answers 405 RESOURCE_LOCKED).
    expect(await queueState(replyTo)).toMatchObject({ consumerCount: 1, messageCount: 0 });
    // Re-declaring with the same arguments passes; so these are the arguments it has.
    const same = await h.admin.createChannel();
    await same.assertQueue(replyTo, replyQueueDeclaration(45_000));
    await same.close();
    const other = await h.admin.createChannel();
    other.on('error', () => undefined);
    await expect(other.assertQueue(replyTo, replyQueueDeclaration(46_000))).rejects.toMatchObject({
      code: 406,
    });

    await b.close();
    expect(await queueState(replyTo)).toBe('gone');
  });

  it('keeps consuming while the command channel is closed and re-opened', async () => {
    const worker = await h.start();
    const replies: Delivery[] = [];
    const replyTo = await h.openReplies(worker, replies);
    const commands: Delivery[] = [];
    let aborted: unknown;
    await worker.consumeCommands({
      prefetch: 2,
      handler: (delivery, signal) => {
        commands.push(delivery);
        if (delivery.messageId !== 'long-upload') return Promise.resolve('ack');
        return new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            resolve('ack');
          });
        });
      },
    });
    await worker.publishCommand('distribute', json({}), { messageId: 'long-upload' });
    await waitFor(() => commands.length === 1, 5_000, 'the long command');

    const sender = await h.start();
    // The broker cancels the command consumer; the worker closes and re-opens that channel.
    await h.ch.deleteQueue(worker.names.workQueue);
    await waitFor(() => aborted !== undefined, 5_000, 'the command channel to close');
    expect(aborted).toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(h.log.entries.some((e) => e.msg === 'the broker cancelled the command consumer')).toBe(
      true,
    );

    // Within the re-open delay (250 ms): the reply consumer never went away.
    await sender.sendReply(replyTo, json({}), { messageId: 'r1', correlationId: 'job-1' });
    expect(await queueState(replyTo)).toMatchObject({ consumerCount: 1 });
    await waitFor(() => replies.length === 1, 2_000, 'the reply sent during the gap');
    expect(replies[0]).toMatchObject({ messageId: 'r1', correlationId: 'job-1' });
    expect(h.log.entries.some((e) => e.msg === 'reply queue is gone; reply dropped')).toBe(false);

    // Commands come back without a reconnect: the re-open declared the work queue again.
    await waitFor(
      async () =>
        sender.publishCommand('retract', json({}), { messageId: 'after' }).then(
          () => true,
          () => false,
        ),
      5_000,
      'the work queue to come back',
    );
    await waitFor(() => commands.some((d) => d.messageId === 'after'), 5_000, 'the command');
    expect(h.log.entries.some((e) => e.msg === 'lost the broker connection; reconnecting')).toBe(
      false,
    );
    expect(replies).toHaveLength(1);
  });

  it('survives a connection drop under its name; replies sent meanwhile arrive once', async () => {
    const api = await h.start({ viaProxy: true });
    const replies: Delivery[] = [];
    const replyTo = await h.openReplies(api, replies);
    const worker = await h.start();
    await worker.sendReply(replyTo, json({}), { messageId: 'before' });
    await waitFor(() => replies.length === 1, 5_000, 'the first reply');

    h.proxy.setAccepting(false);
    h.proxy.dropConnections();
    await waitFor(() => !api.isConnected(), 2_000, 'the disconnect');
    // Still there (an exclusive queue would be gone with its connection), without consumer.
    await waitFor(
      async () => {
        const state = await queueState(replyTo);
        if (state === 'gone') throw new Error('the reply queue was deleted');
        return state.consumerCount === 0;
      },
      5_000,
      'the broker to notice the dead consumer',
    );
    // Sent while the requester is away: it waits in the queue. The ack of 'before' may
    // have been lost with the connection (at-least-once), so count from what is there.
    const waiting = await queueState(replyTo);
    const before = waiting === 'gone' ? 0 : waiting.messageCount;
    await worker.sendReply(replyTo, json({}), { messageId: 'during' });
    // The queue's message count can trail the publish confirm by a moment.
    await waitFor(
      async () => {
        const state = await queueState(replyTo);
        return state !== 'gone' && state.messageCount === before + 1;
      },
      2_000,
      'the reply to wait in the queue',
    );

    h.proxy.setAccepting(true);
    await waitFor(() => api.isConnected(), 5_000, 'the reconnect');
    await worker.sendReply(replyTo, json({}), { messageId: 'after' });
    await waitFor(() => replies.length >= 3 + before, 5_000, 'the replies after the reconnect');
    expect([...new Set(replies.map((d) => d.messageId))].sort()).toEqual([
      'after',
      'before',
      'during',
    ]);
    // Acked: nothing is left, nothing comes again. A redelivery would arrive before a last
    // reply sent now, so that reply marks the end of what can come.
    await worker.sendReply(replyTo, json({}), { messageId: 'last' });
    await waitFor(() => replies.at(-1)?.messageId === 'last', 5_000, 'the last reply');
    expect(replies).toHaveLength(4 + before);
    expect(await queueState(replyTo)).toMatchObject({ consumerCount: 1, messageCount: 0 });
  });

  it('expires by itself once its process is gone', async () => {
    const b = await h.start({ viaProxy: true, replyQueueExpiresMs: 1_500 });
    const replyTo = await h.openReplies(b, []);
    h.proxy.setAccepting(false);
    h.proxy.dropConnections();
    expect(await queueState(replyTo)).not.toBe('gone');
    // A passive declare renews the x-expires lease too: probe less often than it lasts.
    await waitFor(
      async () => (await queueState(replyTo)) === 'gone',
      10_000,
      'the reply queue to expire',
      2_500,
    );
    // Closing without a connection cannot delete it; it says so and does not fail.
    await b.close();
    expect(h.log.entries.some((e) => e.msg?.includes('it expires by itself') === true)).toBe(true);
  });

  it('keeps consuming after the reply handler throws', async () => {
    const b = await h.start();
    const seen: string[] = [];
    const replyTo = await b.openReplyQueue((d) => {
      seen.push(d.messageId ?? '');
      if (d.messageId === 'bad') throw new Error('handler bug');
    });
    h.trackReplyQueue(replyTo);
    await b.sendReply(replyTo, json({}), { messageId: 'bad' });
    await b.sendReply(replyTo, json({}), { messageId: 'good' });
    // A requeued 'bad' would come again before a reply sent after it.
    await b.sendReply(replyTo, json({}), { messageId: 'last' });
    await waitFor(() => seen.length === 3, 5_000, 'all replies');
    expect(seen).toEqual(['bad', 'good', 'last']);
    expect(h.log.entries.some((e) => e.msg === 'reply handler failed')).toBe(true);
  });
});
