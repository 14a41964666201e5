/**
 * Two runs of the same elements at once (a redelivery, a retry, two callers), one of which
 * fails: the failing run's rollback must leave what the other run published. Real S3
 * protocol server, real HTTP sources, the worker's own command handler. Each case runs
 * twice: with conditional writes (the test S3 refuses If-None-Match writes to taken keys,
 * as AWS and MinIO do) and with S3_CONDITIONAL_WRITES=off, the HEAD before each create
 * that stores without conditional writes rely on.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConditionalWriteMode } from '../../src/storage/conditional-writes.js';
import { S3ObjectStore } from '../../src/storage/s3-object-store.js';
import { distributeCommand, inProcessWorker } from '../helpers/in-process-worker.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestS3, type TestS3 } from '../helpers/s3.js';
import {
  startSourceServer,
  type HeldRequest,
  type SourceServer,
} from '../helpers/source-server.js';

const MP = 'efd6e4df-63b6-49af-be5f-15f598778877';
const E1 = 'episode-dublincore.xml';
const E2 = 'series-dublincore.xml';

let s3: TestS3 | undefined;
let sources: SourceServer | undefined;
let bucket = '';

beforeAll(async () => {
  s3 = await startTestS3();
  sources = await startSourceServer();
  bucket = await s3.createBucket();
}, 60_000);

afterAll(async () => {
  await sources?.close();
  await s3?.close();
});

function live(): { s3: TestS3; sources: SourceServer } {
  if (s3 === undefined || sources === undefined) throw new Error('setup failed');
  return { s3, sources };
}

/** A worker of its own (its own run ids), recording its events. */
function worker(runId: string, conditionalWrites: ConditionalWriteMode) {
  const { s3, sources } = live();
  const { events, run } = inProcessWorker({
    store: new S3ObjectStore(s3.client, { conditionalWrites }),
    sourceBaseUrl: sources.baseUrl,
    bucket,
    s3Endpoint: s3.endpoint,
    // The held source answers only after the other run: longer than that run takes.
    sourceTimeoutMs: 30_000,
    distribution: {
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 },
      newRunId: () => runId,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    },
  });
  return {
    run: (jobId: string, channelId: string, elementIds: string[]) =>
      run(distributeCommand(jobId, channelId, elementIds, sources.baseUrl)),
    events,
  };
}

const key = (channelId: string, element: string, file: string) =>
  `mh_default_org/${channelId}/${MP}/${element}/${file}`;

async function metadataOf(objectKey: string): Promise<Record<string, string> | undefined> {
  const head = await live().s3.client.send(
    new HeadObjectCommand({ Bucket: bucket, Key: objectKey }),
  );
  return head.Metadata;
}

/**
 * Waits until run `runId` has written `objectKey`. A run uploads its elements side by
 * side, so reaching its held source does not mean its other elements are written yet.
 */
async function writtenBy(objectKey: string, runId: string): Promise<void> {
  await waitFor(
    async () => (await metadataOf(objectKey).catch(() => undefined))?.['ocs3-run'] === runId,
    10_000,
    `${objectKey} written by ${runId}`,
  );
}

/** Waits for the held request, failing at once should the run end without making it. */
async function arrivedBefore(held: HeldRequest, run: Promise<unknown>): Promise<void> {
  const ended = run.then((result) => {
    throw new Error(`run A ended (${String(result)}) before reading its held source`);
  });
  await Promise.race([held.arrived, ended]);
}

/**
 * Run A (`jobA`, [episode, series]) writes the episode catalog, then waits on its series
 * source until run B (`jobB`, `elementsB`) has overwritten the episode catalog and
 * finished; then A's series source fails for good and A rolls back.
 */
async function race(
  mode: ConditionalWriteMode,
  channelId: string,
  jobA: string,
  jobB: string,
  elementsB: string[],
) {
  const { sources } = live();
  sources.set(E1, '<dublincore>episode by A</dublincore>');
  const held = sources.hold(E2, '<dublincore>series by B</dublincore>');
  const a = worker('run-a', mode);
  const b = worker('run-b', mode);
  const runA = a.run(jobA, channelId, ['episode-dc', 'series-dc']);
  await arrivedBefore(held, runA);
  await writtenBy(key(channelId, 'episode-dc', E1), 'run-a');
  sources.set(E1, '<dublincore>episode by B</dublincore>');
  expect(await b.run(jobB, channelId, elementsB)).toBe('ack');
  expect(b.events.map((e) => e.routingKey)).toEqual(['distribute.completed']);
  held.fail();
  expect(await runA).toBe('ack');
  expect(a.events.map((e) => e.routingKey)).toEqual(['distribute.failed']);
  expect(a.events[0]?.event.data.error?.code).toBe('SOURCE_NOT_FOUND');
  return b.events[0]?.event.data.elements ?? [];
}

describe.each(['auto', 'off'] as const)(
  'a failed run that raced another run of the same elements (S3_CONDITIONAL_WRITES=%s)',
  (mode) => {
    it('keeps the object the other run published (two jobs)', async () => {
      const published = await race(mode, `race-two-jobs-${mode}`, '101', '102', ['episode-dc']);
      const episode = key(`race-two-jobs-${mode}`, 'episode-dc', E1);
      const stored = await live().s3.readObject(bucket, episode);
      expect(stored?.toString()).toBe('<dublincore>episode by B</dublincore>');
      expect(await metadataOf(episode)).toMatchObject({ 'ocs3-run': 'run-b', 'ocs3-job': '102' });
      const url = published.find((e) => e.elementId === 'episode-dc')?.url;
      expect(url).toBe(`${live().s3.endpoint}/${bucket}/${episode}`);
      expect((await fetch(url ?? '')).status).toBe(200);
    });

    it('keeps what the other run published when the same command ran twice', async () => {
      const published = await race(mode, `race-same-job-${mode}`, '7', '7', [
        'episode-dc',
        'series-dc',
      ]);
      const episode = key(`race-same-job-${mode}`, 'episode-dc', E1);
      const series = key(`race-same-job-${mode}`, 'series-dc', E2);
      expect((await live().s3.readObject(bucket, episode))?.toString()).toBe(
        '<dublincore>episode by B</dublincore>',
      );
      expect((await live().s3.readObject(bucket, series))?.toString()).toBe(
        '<dublincore>series by B</dublincore>',
      );
      expect(await metadataOf(episode)).toMatchObject({ 'ocs3-run': 'run-b', 'ocs3-job': '7' });
      expect(published.map((e) => e.url)).toHaveLength(2);
      for (const element of published) expect((await fetch(element.url)).status).toBe(200);
    });

    it('still removes what it alone created', async () => {
      const { sources } = live();
      sources.set(E1, '<dublincore>episode alone</dublincore>');
      const held = sources.hold(E2, 'unused');
      const a = worker('run-alone', mode);
      const runA = a.run('103', `race-alone-${mode}`, ['episode-dc', 'series-dc']);
      await arrivedBefore(held, runA);
      await writtenBy(key(`race-alone-${mode}`, 'episode-dc', E1), 'run-alone');
      held.fail();
      expect(await runA).toBe('ack');
      expect(await live().s3.listKeys(bucket, `mh_default_org/race-alone-${mode}/`)).toEqual([]);
    });
  },
);
