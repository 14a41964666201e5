/**
 * Parses request mediapackages without blocking the event loop. A large mediapackage
 * (5 MiB, thousands of elements) takes about a second of CPU and a few hundred MB to
 * parse: done on the event loop, four at once stall every other request (health checks
 * included) for seconds. Small ones are parsed inline; large ones on a few worker threads,
 * with a bounded queue: beyond it the request is refused with OVERLOADED (503), so memory
 * stays proportional to the threads, not to the callers.
 */
import { Worker } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../errors.js';
import { parseMediaPackage, pickElements } from '../opencast/mediapackage.js';
import type { MediaPackage } from '../opencast/model.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from '../opencast/xml-limits.js';

const MiB = 1024 * 1024;

/** One parse, as posted to a thread. */
export interface ParseTask {
  readonly xml: string;
  readonly elementIds: readonly string[];
  readonly limits: Partial<XmlLimits> | undefined;
}

/** A thread's answer: the requested elements, or the error (classes do not cross threads). */
export type ParseReply =
  | { readonly ok: true; readonly mediaPackage: MediaPackage }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Settings of {@link createMediapackageParser} (XML_PARSE_*). */
export interface MediapackageParserOptions {
  /** Worker threads for large mediapackages; 0 parses everything inline. */
  readonly threads: number;
  /** Large parses that may wait for a thread; more are refused with OVERLOADED. */
  readonly maxQueued: number;
  /** Mediapackages up to this many characters are parsed inline (cheaper than a hop). */
  readonly inlineBytes: number;
  readonly limits?: Partial<XmlLimits> | undefined;
}

/** Parses a request's mediapackage and keeps the elements it names. */
export interface MediapackageParser {
  /**
   * The mediapackage with only the named elements (see `pickElements`).
   * @throws AppError the XML's error codes, OVERLOADED when the queue is full,
   * SHUTTING_DOWN after close.
   */
  parse(xml: string, elementIds: readonly string[]): Promise<MediaPackage>;
  /** Refuses queued and running parses and stops the threads. */
  close(): Promise<void>;
}

interface Pending {
  readonly task: ParseTask;
  readonly resolve: (mediaPackage: MediaPackage) => void;
  readonly reject: (error: AppError) => void;
}

interface Slot {
  readonly worker: Worker;
  current: Pending | undefined;
}

/**
 * The thread's module: compiled JavaScript in production. From TypeScript sources (tsx,
 * vitest) a worker does not inherit the loader, so a small bootstrap registers tsx first.
 */
function startThread(heapMb: number): Worker {
  const typescript = import.meta.url.endsWith('.ts');
  const url = new URL(`./mediapackage-thread.${typescript ? 'ts' : 'js'}`, import.meta.url);
  // A bounded heap: a hostile document costs a thread (replaced), not the API's memory.
  const resourceLimits = { maxOldGenerationSizeMb: heapMb };
  const worker = typescript
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})` +
          `.then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`,
        { eval: true, resourceLimits },
      )
    : new Worker(url, { resourceLimits });
  // An idle pool must not keep the process alive; close() ends it on shutdown.
  worker.unref();
  return worker;
}

/** Creates the parser; threads start on the first large mediapackage. */
export function createMediapackageParser(options: MediapackageParserOptions): MediapackageParser {
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let closed = false;

  // Measured: a 5 MiB mediapackage of 12 000 tracks needs 96-160 MB of old generation.
  const xmlMb = (options.limits?.maxBytes ?? DEFAULT_XML_LIMITS.maxBytes) / MiB;
  const heapMb = 64 + Math.ceil(xmlMb * 48);
  const shuttingDown = () => new AppError('SHUTTING_DOWN', 'The service is shutting down');

  function spawn(): Slot {
    const slot: Slot = { worker: startThread(heapMb), current: undefined };
    const fail = (error: AppError) => {
      const index = slots.indexOf(slot);
      if (index !== -1) slots.splice(index, 1);
      const pending = slot.current;
      slot.current = undefined;
      pending?.reject(closed ? shuttingDown() : error);
      dispatch();
    };
    slot.worker.on('message', (reply: ParseReply) => {
      const pending = slot.current;
      slot.current = undefined;
      if (reply.ok) pending?.resolve(reply.mediaPackage);
      else pending?.reject(new AppError(reply.code, reply.message));
      dispatch();
    });
    slot.worker.on('error', (cause) => {
      fail(new AppError('INTERNAL', 'The mediapackage parser thread failed', { cause }));
    });
    slot.worker.on('exit', (code) => {
      fail(new AppError('INTERNAL', `The mediapackage parser thread exited (${code})`));
    });
    slots.push(slot);
    return slot;
  }

  function idleSlot(): Slot | undefined {
    return (
      slots.find((slot) => slot.current === undefined) ??
      (slots.length < options.threads ? spawn() : undefined)
    );
  }

  function run(slot: Slot, pending: Pending): void {
    slot.current = pending;
    slot.worker.ref();
    slot.worker.postMessage(pending.task);
  }

  function dispatch(): void {
    for (const slot of slots) if (slot.current === undefined) slot.worker.unref();
    while (!closed && queue.length > 0) {
      const slot = idleSlot();
      const next = slot === undefined ? undefined : queue.shift();
      if (slot === undefined || next === undefined) return;
      run(slot, next);
    }
  }

  return {
    async parse(xml, elementIds) {
      if (options.threads === 0 || xml.length <= options.inlineBytes) {
        return pickElements(parseMediaPackage(xml, options.limits), elementIds);
      }
      if (closed) throw shuttingDown();
      return new Promise<MediaPackage>((resolve, reject) => {
        const pending: Pending = {
          task: { xml, elementIds, limits: options.limits },
          resolve,
          reject,
        };
        const slot = idleSlot();
        if (slot !== undefined) run(slot, pending);
        else if (queue.length < options.maxQueued) queue.push(pending);
        else {
          reject(
            new AppError(
              'OVERLOADED',
              `${options.threads + options.maxQueued} large mediapackages are being checked already`,
            ),
          );
        }
      });
    },
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(shuttingDown());
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
