/**
 * A hung S3 (issue 8, item 6): one total deadline bounds a command, every retry included;
 * the command ends with a failure event carrying DEADLINE_EXCEEDED instead of hanging for
 * socket timeouts x retries, and the log shows progress while it runs. S3 hangs behind a
 * proxy of the test's own; the client has no socket timeout, so only the deadline can end it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/distribution/logger.js';
import { createS3Client } from '../../src/storage/s3-client.js';
import { S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { distributeCommand, inProcessWorker } from '../helpers/in-process-worker.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';
import { isAbortMultipart, isUploadPart, startS3Proxy, type S3Proxy } from '../helpers/s3-proxy.js';
import { startSourceServer, type SourceServer } from '../helpers/source-server.js';

const MiB = 1024 * 1024;
const DEADLINE_MS = 3_000;

let s3: TestS3 | undefined;
let proxy: S3Proxy | undefined;
let sources: SourceServer | undefined;
let bucket = '';

beforeAll(async () => {
  s3 = await startTestS3();
  bucket = await s3.createBucket();
  proxy = await startS3Proxy(s3.endpoint);
  sources = await startSourceServer();
  sources.setGenerated('video-presenter.mp4', 24 * MiB);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await sources?.close();
  await s3?.close();
});

interface LogLine {
  readonly msg: string | undefined;
  readonly fields: Record<string, unknown>;
}

/** The core's logging port, recording every line with the bindings of its children. */
function recordingLogger(lines: LogLine[], bindings: Record<string, unknown> = {}): Logger {
  const write = (obj: object, msg?: string): void => {
    lines.push({ msg, fields: { ...bindings, ...obj } });
  };
  return {
    info: write,
    warn: write,
    error: write,
    debug: write,
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

async function runAgainstProxy(jobId: string) {
  if (s3 === undefined || proxy === undefined || sources === undefined) {
    throw new Error('setup failed');
  }
  const client = createS3Client({
    region: s3.region,
    endpoint: proxy.endpoint,
    credentials: s3.credentials,
    forcePathStyle: true,
  });
  const lines: LogLine[] = [];
  const worker = inProcessWorker({
    store: new S3ObjectStore(client, { partSizeBytes: 5 * MiB, queueSize: 2 }),
    sourceBaseUrl: sources.baseUrl,
    bucket,
    s3Endpoint: s3.endpoint,
    sourceTimeoutMs: 30_000,
    distribution: {
      // Many quick retries: the deadline must end them all.
      retry: { attempts: 20, baseDelayMs: 10, maxDelayMs: 50 },
      commandDeadlineMs: DEADLINE_MS,
      progressIntervalMs: 200,
      logger: recordingLogger(lines),
    },
  });
  try {
    await worker.run(distributeCommand(jobId, `deadline-${jobId}`, ['track-1'], sources.baseUrl));
  } finally {
    client.destroy();
  }
  return { lines, events: worker.events };
}

describe('a command against a hung S3', () => {
  it('ends at its deadline with DEADLINE_EXCEEDED while UploadPart hangs, logs progress, and aborts the upload', async () => {
    proxy?.setRule((r) => (isUploadPart(r) ? 'stall' : 'pass'));
    const jobId = String(Date.now());
    const { lines, events } = await runAgainstProxy(jobId);

    expect(events).toHaveLength(1);
    expect(events[0]?.routingKey).toMatch(/failed/);
    expect(events[0]?.event.data.error).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      retryable: false,
    });
    expect(events[0]?.event.data.error?.message).toContain(`${DEADLINE_MS} ms`);

    const messages = lines.map((line) => line.msg);
    expect(messages).toContain('element upload started');
    const progress = lines.filter((line) => line.msg === 'upload in progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)?.fields.bytes).toBeGreaterThan(0);
    expect(proxy?.requests.some((r) => isAbortMultipart(r) && r.path.includes(jobId))).toBe(true);
  }, 60_000);

  it('ends at its deadline when every S3 request hangs', async () => {
    proxy?.setRule(() => 'stall');
    const { events } = await runAgainstProxy(String(Date.now() + 1));
    expect(events).toHaveLength(1);
    expect(events[0]?.event.data.error).toMatchObject({ code: 'DEADLINE_EXCEEDED' });
  }, 60_000);
});
