import { describe, expect, it } from 'vitest';
import { errorDetail } from '../../../src/sources/error-detail.js';

describe('errorDetail', () => {
  it('adds the message of the direct cause', () => {
    const error = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') });
    expect(errorDetail(error)).toBe('fetch failed: connect ECONNREFUSED');
  });

  it('uses the message alone without a useful cause', () => {
    expect(errorDetail(new Error('x', { cause: 'text' }))).toBe('x');
    expect(errorDetail(new Error('x', { cause: new Error('') }))).toBe('x');
  });

  it('describes values that are not errors', () => {
    expect(errorDetail('boom')).toBe('boom');
    expect(errorDetail(undefined)).toBe('undefined');
  });
});
