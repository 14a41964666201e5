import { describe, expect, it } from 'vitest';
import { errorForStatus } from '../../../src/sources/http-status.js';

describe('errorForStatus', () => {
  it.each([
    [404, 'SOURCE_NOT_FOUND', false],
    [410, 'SOURCE_NOT_FOUND', false],
    [400, 'SOURCE_FORBIDDEN', false],
    [401, 'SOURCE_FORBIDDEN', false],
    [403, 'SOURCE_FORBIDDEN', false],
    [416, 'SOURCE_FORBIDDEN', false],
    [408, 'SOURCE_UNAVAILABLE', true],
    [429, 'SOURCE_UNAVAILABLE', true],
    [500, 'SOURCE_UNAVAILABLE', true],
    [503, 'SOURCE_UNAVAILABLE', true],
    [204, 'SOURCE_UNAVAILABLE', true],
    [304, 'SOURCE_UNAVAILABLE', true],
  ])('maps %i to %s', (status, code, retryable) => {
    const error = errorForStatus(status, '"http://a/x"');
    expect(error).toMatchObject({ code, retryable });
    expect(error.message).toContain(`HTTP ${status}`);
  });
});
