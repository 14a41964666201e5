import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../../src/errors.js';
import { createSourceReadable, type ChunkSource } from '../../../src/sources/source-readable.js';

/** A chunk source over a list of steps: bytes, an error to throw, or 'hang'. */
function scripted(steps: (Uint8Array | Error | 'hang')[]): ChunkSource & { closed: number } {
  const source = {
    closed: 0,
    async read(): Promise<Uint8Array | undefined> {
      const step = steps.shift();
      if (step === 'hang') return new Promise<undefined>(() => undefined);
      if (step instanceof Error) throw step;
      return Promise.resolve(step);
    },
    async close(): Promise<void> {
      source.closed++;
      return Promise.resolve();
    },
  };
  return source;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('createSourceReadable', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('yields every chunk in order, skips empty ones and closes once', async () => {
    const source = scripted([bytes('ab'), new Uint8Array(0), bytes('c')]);
    const stream = createSourceReadable(source, { description: '"s"' });
    expect((await buffer(stream)).toString()).toBe('abc');
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.closed).toBe(1);
  });

  it('turns a read failure into SOURCE_UNAVAILABLE with the cause', async () => {
    const cause = new TypeError('terminated');
    const source = scripted([bytes('a'), cause]);
    const error = await failure(buffer(createSourceReadable(source, { description: '"s"' })));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', retryable: true, cause });
    expect((error as Error).message).toContain('"s"');
    expect(source.closed).toBe(1);
  });

  it('passes an AppError from the source on unchanged', async () => {
    const original = new AppError('SOURCE_FORBIDDEN', 'no');
    const error = await failure(
      buffer(createSourceReadable(scripted([original]), { description: '"s"' })),
    );
    expect(error).toBe(original);
  });

  it('gives up after the idle timeout, not before', async () => {
    vi.useFakeTimers();
    const source = scripted([bytes('a'), 'hang']);
    let error: unknown;
    const pending = failure(
      buffer(createSourceReadable(source, { description: '"s"', idleTimeoutMs: 50 })),
    ).then((caught) => (error = caught));
    await vi.advanceTimersByTimeAsync(49);
    expect(error).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/nothing for 50 ms/);
    expect(source.closed).toBe(1);
  });

  it('does not time out while the consumer is slow to ask for more', async () => {
    vi.useFakeTimers();
    const source = scripted([bytes('a'), bytes('b')]);
    const stream = createSourceReadable(source, { description: '"s"', idleTimeoutMs: 20 });
    stream.pause();
    await vi.advanceTimersByTimeAsync(100);
    expect((await buffer(stream)).toString()).toBe('ab');
  });

  it('is destroyed with SOURCE_UNAVAILABLE when the signal aborts', async () => {
    const controller = new AbortController();
    const source = scripted(['hang']);
    const stream = createSourceReadable(source, {
      description: '"s"',
      signal: controller.signal,
    });
    const pending = failure(buffer(stream));
    controller.abort(new Error('shutdown'));
    const error = await pending;
    expect(error).toMatchObject({ code: 'SOURCE_UNAVAILABLE', cause: new Error('shutdown') });
    expect(source.closed).toBe(1);
  });

  it('fails at once for a signal that is already aborted', async () => {
    const source = scripted([bytes('a')]);
    const stream = createSourceReadable(source, {
      description: '"s"',
      signal: AbortSignal.abort(),
    });
    expect(await failure(buffer(stream))).toMatchObject({ code: 'SOURCE_UNAVAILABLE' });
  });
});
