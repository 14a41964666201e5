/**
 * Pieces of the HTTP unit tests' harness: a real JobService whose publishes are decoded as a
 * worker would decode them, and a source check that allows one URL prefix.
 */
import type { Command } from '../../src/contract/command.js';
import { decodeCommand } from '../../src/contract/command-codec.js';
import { AppError } from '../../src/errors.js';
import { JobService } from '../../src/jobs/job-service.js';
import { MemoryJobStore } from '../../src/jobs/job-store.js';

export interface TestJobsOptions {
  /** Plays the worker: sees each published command. */
  readonly onSend?: ((command: Command, jobs: JobService) => void) | undefined;
  /** Every publish fails with this. */
  readonly sendError?: Error | undefined;
}

/** A JobService on an in-memory store; job ids count from 1000, the clock stands still. */
export function testJobService(options: TestJobsOptions = {}): JobService {
  let next = 1000;
  const jobs: JobService = new JobService({
    store: new MemoryJobStore(),
    send: (message) => {
      if (options.sendError !== undefined) return Promise.reject(options.sendError);
      // Decoded as a worker would: the published bytes are what the tests check.
      const command = decodeCommand(message.body, {
        maxBytes: 16 * 1024 * 1024,
        routingKey: message.routingKey,
      });
      options.onSend?.(command, jobs);
      return Promise.resolve();
    },
    replyTo: () => 'reply-queue',
    newJobId: () => String(next++),
    clock: () => new Date('2024-10-01T09:10:00.120Z'),
    jobUrl: (id) => `http://localhost:8080/jobs/${id}`,
    jobLoad: 0.1,
  });
  return jobs;
}

/** Sources allowed only under `prefix`; never opened (the HTTP tests publish, not fetch). */
export function prefixSources(prefix: string) {
  return {
    assertAllowed: (url: string) => {
      if (!url.startsWith(prefix)) throw new AppError('SOURCE_FORBIDDEN', `${url} not allowed`);
    },
    open: () => Promise.reject(new Error('not used')),
  };
}
