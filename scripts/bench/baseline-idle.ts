/**
 * Baseline for idle memory: Node with the AWS SDK's S3 client loaded and one client built,
 * doing nothing. The bench reads its RSS while it waits.
 */
import { s3Child, type S3Target } from './baseline-s3.js';
import { childParams } from './child-protocol.js';

await s3Child(
  childParams() as S3Target,
  () => Promise.resolve(),
  () => Promise.resolve({}),
);
