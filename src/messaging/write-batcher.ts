/**
 * Batches one event-loop turn's publishes into one socket write. amqplib queues each frame
 * on its channel's buffer and its muxer copies the frames to the socket one `write()` per
 * publish (a syscall each on loopback: ~8% of the API's CPU at 50 concurrent accepts).
 * Corking the socket for the turn turns them into one `writev`.
 */

/** The part of the connection's socket a batcher needs. */
export interface CorkableStream {
  cork(): void;
  uncork(): void;
}

/** Runs `fn` after amqplib has written this turn's publishes to the (corked) socket. */
export type AfterWrites = (fn: () => void) => void;

/**
 * amqplib's muxer writes to the socket in a `setImmediate` that it schedules from the
 * channel buffer's 'readable' event, itself a `nextTick` queued by `publish()`. A tick
 * queued after `publish()` returns therefore runs after that one, and the immediate it
 * schedules after the muxer's.
 */
const afterMuxerWrites: AfterWrites = (fn) => {
  process.nextTick(() => setImmediate(fn));
};

/**
 * The socket under an amqplib channel, or undefined. Not public API: amqplib 2's
 * `Connection` keeps it as `stream` (lib/connection.js), reached as `channel.connection`.
 * Without it (another version, a fake channel) publishes are simply not batched.
 */
export function connectionStream(channel: unknown): CorkableStream | undefined {
  const connection = (channel as { connection?: { stream?: unknown } } | null)?.connection;
  const stream = connection?.stream as Partial<CorkableStream> | undefined;
  if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return undefined;
  return stream as CorkableStream;
}

/**
 * A function to call after each `publish()`: the first call of a turn corks `stream` and
 * schedules the uncork after amqplib's writes. If a batch outgrows the socket's write
 * buffer, amqplib waits for 'drain' (which the uncork brings) and writes the rest
 * unbatched: correct, just less batched. Without a stream it does nothing.
 */
export function writeBatcher(
  stream: CorkableStream | undefined,
  afterWrites: AfterWrites = afterMuxerWrites,
): () => void {
  if (stream === undefined) return () => undefined;
  let corked = false;
  const uncork = (): void => {
    corked = false;
    stream.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    stream.cork();
    afterWrites(uncork);
  };
}
