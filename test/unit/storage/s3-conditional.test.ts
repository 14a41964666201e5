import { describe, expect, it } from 'vitest';
import { isPreconditionFailed } from '../../../src/storage/s3-conditional.js';

describe('isPreconditionFailed', () => {
  it('recognises a 412 by status or by the S3 error name', () => {
    expect(isPreconditionFailed({ $metadata: { httpStatusCode: 412 } })).toBe(true);
    expect(
      isPreconditionFailed(Object.assign(new Error('x'), { name: 'PreconditionFailed' })),
    ).toBe(true);
  });

  it('does not take other refusals for one', () => {
    expect(isPreconditionFailed({ $metadata: { httpStatusCode: 409 } })).toBe(false);
    expect(isPreconditionFailed(new Error('NoSuchKey'))).toBe(false);
    expect(isPreconditionFailed(undefined)).toBe(false);
  });
});
