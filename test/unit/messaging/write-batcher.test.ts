import { describe, expect, it } from 'vitest';
import {
  connectionStream,
  writeBatcher,
  type AfterWrites,
  type CorkableStream,
} from '../../../src/messaging/write-batcher.js';

/** Records cork, uncork and writes, and whether each write happened while corked. */
class FakeStream implements CorkableStream {
  readonly log: string[] = [];
  #corked = 0;

  cork(): void {
    this.#corked++;
    this.log.push('cork');
  }

  uncork(): void {
    this.#corked--;
    this.log.push('uncork');
  }

  write(name: string): void {
    this.log.push(`${name}${this.#corked > 0 ? ' (corked)' : ''}`);
  }
}

/** A scheduler the test runs by hand. */
function manualAfterWrites() {
  const scheduled: (() => void)[] = [];
  const afterWrites: AfterWrites = (fn) => scheduled.push(fn);
  const run = () => {
    scheduled.splice(0).forEach((fn) => {
      fn();
    });
  };
  return { afterWrites, scheduled, run };
}

describe('connectionStream', () => {
  it("finds amqplib 2's socket at channel.connection.stream", () => {
    const stream = new FakeStream();
    expect(connectionStream({ connection: { stream } })).toBe(stream);
  });

  it('is undefined when the internal is missing or not corkable', () => {
    expect(connectionStream(undefined)).toBeUndefined();
    expect(connectionStream(null)).toBeUndefined();
    expect(connectionStream({})).toBeUndefined();
    expect(connectionStream({ connection: {} })).toBeUndefined();
    expect(connectionStream({ connection: { stream: { cork: () => undefined } } })).toBeUndefined();
  });
});

describe('writeBatcher', () => {
  it('does nothing without a stream', () => {
    const { afterWrites, scheduled } = manualAfterWrites();
    const batch = writeBatcher(undefined, afterWrites);
    batch();
    batch();
    expect(scheduled).toHaveLength(0);
  });

  it('corks once per turn and uncorks when the scheduled callback runs', () => {
    const stream = new FakeStream();
    const { afterWrites, scheduled, run } = manualAfterWrites();
    const batch = writeBatcher(stream, afterWrites);
    batch();
    batch();
    batch();
    expect(stream.log).toEqual(['cork']);
    expect(scheduled).toHaveLength(1);
    run();
    expect(stream.log).toEqual(['cork', 'uncork']);
    batch();
    expect(stream.log).toEqual(['cork', 'uncork', 'cork']);
    run();
    expect(stream.log).toEqual(['cork', 'uncork', 'cork', 'uncork']);
  });

  it('by default uncorks after writes made the way amqplib makes them', async () => {
    const stream = new FakeStream();
    const batch = writeBatcher(stream);
    // amqplib: publish() queues its frames and a 'readable' tick whose listener schedules
    // the muxer's one immediate, which writes every queued frame to the socket.
    const queued: string[] = [];
    let scheduled = false;
    const publish = (name: string) => {
      queued.push(name);
      process.nextTick(() => {
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          queued.splice(0).forEach((frame) => {
            stream.write(frame);
          });
        });
      });
    };
    publish('m1');
    batch();
    publish('m2');
    batch();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.log).toEqual(['cork', 'm1 (corked)', 'm2 (corked)', 'uncork']);
  });
});
