/**
 * The bench's fixtures in a process of their own (run with tsx): the S3 server
 * (test/helpers/s3.ts: s3rver in a temporary directory unless TEST_S3_ENDPOINT is set) with
 * one bucket, and the HTTP source server (test/helpers/source-server.ts) serving generated
 * large files and one small file. Kept out of the bench's process so that their work does
 * not delay the bench's own clocks and HTTP clients.
 *
 * Parameters: argv[2] = JSON {@link FixtureParams}. Prints one JSON line
 * ({@link FixtureInfo}) once serving; stops, deleting the bucket and the temporary
 * directory, when stdin closes.
 */
import { createInterface } from 'node:readline';
import { startTestS3 } from '../../test/helpers/s3.js';
import { startSourceServer } from '../../test/helpers/source-server.js';
import { largeName, SMALL_NAME, type FixtureInfo, type FixtureParams } from './fixture-info.js';

/** The small file's bytes: deterministic, not all alike. */
function smallBody(bytes: number): Buffer {
  const body = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) body[i] = (i * 31 + 7) % 251;
  return body;
}

const params = JSON.parse(process.argv[2] ?? '{}') as FixtureParams;
const s3 = await startTestS3();
const sources = await startSourceServer();
const bucket = await s3.createBucket();
for (const bytes of params.largeSizes) sources.setGenerated(largeName(bytes), bytes);
sources.set(SMALL_NAME, smallBody(params.smallBytes));
const info: FixtureInfo = {
  kind: s3.kind,
  endpoint: s3.endpoint,
  region: s3.region,
  accessKeyId: s3.credentials.accessKeyId,
  secretAccessKey: s3.credentials.secretAccessKey,
  bucket,
  sourceBaseUrl: sources.baseUrl,
};
process.stdout.write(`${JSON.stringify(info)}\n`);
for await (const _line of createInterface({ input: process.stdin }));
await sources.close();
await s3.close();
