/**
 * Baseline for idle memory: Node with the AWS SDK's S3 client loaded and one client built,
 * doing nothing. The bench reads its RSS while it waits.
 */
import { baselineClient, type S3Target } from './baseline-s3.js';
import { childParams, runChild } from './child-protocol.js';

const client = baselineClient(childParams() as S3Target);

await runChild(
  () => Promise.resolve(),
  () => Promise.resolve({}),
  () => {
    client.destroy();
    return Promise.resolve();
  },
);
